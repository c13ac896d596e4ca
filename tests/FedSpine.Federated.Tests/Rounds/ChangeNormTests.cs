// The "change" update term equals the Frobenius norm of the dense difference (α/r)·(B'A' − BA), and is zero when a device
// uploads exactly what it was sent.
using FedSpine.Federated.Rounds;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class ChangeNormTests
{
    [Fact]
    public void Change_norm_equals_the_dense_difference_norm()
    {
        var rng = new Rng(5);
        int r = 3, inDim = 7, outDim = 5;
        float[] Random(int n) { var x = new float[n]; rng.FillGaussian(x, 0.5f); return x; }
        var before = new ModuleFactors(0, LoraTarget.Q, r, Random(r * inDim), Random(outDim * r));
        var after = new ModuleFactors(0, LoraTarget.Q, r, Random(r * inDim), Random(outDim * r));
        float alpha = 6;
        double sum = 0;
        for (int o = 0; o < outDim; o++)
        {
            for (int c = 0; c < inDim; c++)
            {
                double d = 0;
                for (int j = 0; j < r; j++)
                {
                    d += (double)after.B[o * r + j] * after.A[j * inDim + c] - (double)before.B[o * r + j] * before.A[j * inDim + c];
                }
                sum += d * d;
            }
        }
        double expected = alpha / r * Math.Sqrt(sum);
        Assert.Equal(expected, GlobalLora.ChangeNorm(before, after, alpha), 4);
        Assert.Equal(0, GlobalLora.ChangeNorm(before, before, alpha), 4);
    }
}
