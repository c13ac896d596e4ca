// SwiGlu: the fast kernel against SwiGluReference (vector tails, threaded sizes, saturated gates, h aliasing gate),
// and the backward against central finite differences of Σ dh ⊙ SwiGluReference.Forward.
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class SwiGluTests
{
    [Theory]
    [InlineData(1, 4f)]
    [InlineData(7, 4f)]
    [InlineData(64, 4f)]
    [InlineData(172, 4f)]
    [InlineData(513, 100f)] // saturated sigmoid at both ends
    [InlineData(100_003, 4f)] // above the threading threshold
    public void FastMatchesReference(int count, float gateScale)
    {
        float[] gate = RandomArray(count, 51, gateScale);
        float[] up = RandomArray(count, 52);
        float[] dh = RandomArray(count, 53);
        var h = new float[count];
        var hRef = new float[count];
        SwiGlu.Forward(gate, up, h);
        SwiGluReference.Forward(gate, up, hRef);
        AssertClose(hRef, h, 1e-5, 1e-7, "h");

        float[] inPlace = (float[])gate.Clone();
        SwiGlu.Forward(inPlace, up, inPlace);
        Assert.Equal(h, inPlace);

        var dGate = new float[count];
        var dUp = new float[count];
        var dGateRef = new float[count];
        var dUpRef = new float[count];
        SwiGlu.Backward(dh, gate, up, dGate, dUp);
        SwiGluReference.Backward(dh, gate, up, dGateRef, dUpRef);
        AssertClose(dGateRef, dGate, 1e-5, 1e-6, "dGate");
        AssertClose(dUpRef, dUp, 1e-5, 1e-6, "dUp");
        Assert.All(dGate, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void BackwardMatchesFiniteDifferences()
    {
        const int count = 37;
        float[] gate = RandomArray(count, 54, 4f);
        float[] up = RandomArray(count, 55);
        float[] dh = RandomArray(count, 56);
        var h = new float[count];
        double Loss()
        {
            SwiGluReference.Forward(gate, up, h);
            return Dot(dh, h);
        }

        var dGate = new float[count];
        var dUp = new float[count];
        SwiGlu.Backward(dh, gate, up, dGate, dUp);
        AssertGradient(Loss, gate, dGate, count, 57, 1e-2f, 1e-2, 1e-4, "dGate");
        AssertGradient(Loss, up, dUp, count, 58, 1e-2f, 1e-2, 1e-4, "dUp");
    }
}
