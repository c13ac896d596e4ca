// AdamW: a two-step example worked by hand (torch.optim.AdamW semantics), and the fast kernel against
// AdamWReference over several steps on a buffer large enough to be threaded.
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class AdamWTests
{
    // lr 0.1, β1 0.9, β2 0.999, ε 1e-8, weight decay 0.1; three parameters, gradients (0.5, −2, 0) then (−0.25, −2, 0).
    // Element 0, step 1: p = 1·0.99 = 0.99; m = 0.05; v = 0.00025; m̂ = 0.5; v̂ = 0.25; p −= 0.1·0.5/(0.5 + 1e-8) → 0.890000002.
    //            step 2: p = 0.890000002·0.99; m = 0.045 − 0.025 = 0.02; v = 0.000249750 + 0.0000625 = 0.00031225;
    //                    m̂ = 0.02/0.19; v̂ = 0.00031225/0.001999; p −= 0.1·m̂/(√v̂ + 1e-8) → 0.854466299.
    // Element 1 (p = −0.5, g = −2 twice): −0.3950000005, then m = −0.38, v = 0.007996, p → −0.291050001.
    // Element 2 (no gradient): decay only, 2·0.99 = 1.98, then 1.9602.
    private static readonly AdamWSettings Settings = new(LearningRate: 0.1f, Beta1: 0.9f, Beta2: 0.999f, Epsilon: 1e-8f, WeightDecay: 0.1f);

    public static TheoryData<bool> Kernels => new() { true, false };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void TwoStepsMatchHandComputation(bool fast)
    {
        float[] p = { 1f, -0.5f, 2f };
        var m = new float[3];
        var v = new float[3];
        Step(fast, p, new[] { 0.5f, -2f, 0f }, m, v, 1);
        AssertClose(new[] { 0.890000002f, -0.3950000005f, 1.98f }, p, 1e-6, 0, "p after step 1");
        AssertClose(new[] { 0.05f, -0.2f, 0f }, m, 1e-6, 0, "m after step 1");
        AssertClose(new[] { 0.00025f, 0.004f, 0f }, v, 1e-6, 0, "v after step 1");

        Step(fast, p, new[] { -0.25f, -2f, 0f }, m, v, 2);
        AssertClose(new[] { 0.854466299f, -0.291050001f, 1.9602f }, p, 1e-6, 0, "p after step 2");
        AssertClose(new[] { 0.02f, -0.38f, 0f }, m, 1e-6, 0, "m after step 2");
        AssertClose(new[] { 0.00031225f, 0.007996f, 0f }, v, 1e-6, 0, "v after step 2");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(513)]
    [InlineData(100_003)] // above the threading threshold
    public void FastMatchesReference(int count)
    {
        float[] p = RandomArray(count, 61), pRef = (float[])p.Clone();
        float[] m = new float[count], mRef = new float[count];
        float[] v = new float[count], vRef = new float[count];
        var settings = new AdamWSettings(LearningRate: 3e-3f, WeightDecay: 0.05f);
        for (int step = 1; step <= 3; step++)
        {
            float[] grad = RandomArray(count, 62 + step, 0.1f);
            AdamW.Step(p, grad, m, v, settings, step);
            AdamWReference.Step(pRef, grad, mRef, vRef, settings, step);
        }
        AssertClose(mRef, m, 1e-5, 1e-8, "m");
        AssertClose(vRef, v, 1e-5, 1e-12, "v");
        AssertClose(pRef, p, 1e-5, 1e-7, "p");
    }

    [Fact]
    public void RejectsMismatchedLengthsAndStepZero()
    {
        Assert.Throws<ArgumentException>(() => AdamW.Step(new float[3], new float[2], new float[3], new float[3], Settings, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdamW.Step(new float[3], new float[3], new float[3], new float[3], Settings, 0));
    }

    private static void Step(bool fast, float[] p, float[] grad, float[] m, float[] v, int step)
    {
        if (fast)
        {
            AdamW.Step(p, grad, m, v, Settings, step);
        }
        else
        {
            AdamWReference.Step(p, grad, m, v, Settings, step);
        }
    }
}
