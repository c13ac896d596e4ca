// Every kernel on every instruction-set path this machine runs (IsaPath.Force): the reference comparisons of each
// kernel's own tests rerun on each path, and forcing really changes the code that runs and is deterministic per path.
using System.Reflection;
using FedSpine.Tensors.Tests.Ops;
using Xunit.Sdk;

namespace FedSpine.Tensors.Tests;

[Collection(PoolSettingsCollection.Name)] // IsaPath.Force is process-wide: nothing may run beside these tests
public sealed class EveryIsaPathTests
{
    /// <summary>The tests comparing a fast kernel with its reference (or a bitwise reference), by class and method.</summary>
    private static readonly (Type Class, string Method)[] ReferenceTests =
    [
        (typeof(GemmTests), nameof(GemmTests.CubesOfOddSizesMatchReference)),
        (typeof(GemmTests), nameof(GemmTests.MixedOddShapesMatchReference)),
        (typeof(GemmTests), nameof(GemmTests.ShapesOnBothSidesOfEveryThresholdMatchReference)),
        (typeof(GemmTests), nameof(GemmTests.AlphaAndBetaScaleAsReference)),
        (typeof(GemmTests), nameof(GemmTests.BetaZeroIgnoresNaNInC)),
        (typeof(GemmTests), nameof(GemmTests.LeadingDimensionsWiderThanRowsAreHonoured)),
        (typeof(GemmTests), nameof(GemmTests.LinearLayerHelpersMatchReference)),
        (typeof(GemmDeterminismTests), nameof(GemmDeterminismTests.ResultsDoNotDependOnThreadCount)),
        (typeof(RmsNormTests), nameof(RmsNormTests.FastMatchesReference)),
        (typeof(SoftmaxTests), nameof(SoftmaxTests.FastMatchesReference)),
        (typeof(SwiGluTests), nameof(SwiGluTests.FastMatchesReference)),
        (typeof(RopeTests), nameof(RopeTests.FastMatchesReferenceAndInverseUndoes)),
        (typeof(AdamWTests), nameof(AdamWTests.FastMatchesReference)),
        (typeof(AdamWTests), nameof(AdamWTests.TwoStepsMatchHandComputation)),
        (typeof(CrossEntropyTests), nameof(CrossEntropyTests.FastMatchesReference)),
        (typeof(CausalAttentionTests), nameof(CausalAttentionTests.FastMatchesReference)),
        (typeof(CausalAttentionTests), nameof(CausalAttentionTests.DecodeMatchesForwardRows)),
        (typeof(Bf16Tests), nameof(Bf16Tests.Widen_equals_the_scalar_reference_at_every_length)),
    ];

    private static IEnumerable<Isa> Paths => Enum.GetValues<Isa>().Where(IsaPath.IsSupported);

    public static TheoryData<Isa, string, string> Cases()
    {
        var data = new TheoryData<Isa, string, string>();
        foreach (Isa isa in Paths)
        {
            foreach (var (type, method) in ReferenceTests)
            {
                data.Add(isa, type.Name, method);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelMatchesTheReferenceOnThisPath(Isa isa, string className, string methodName)
    {
        var (type, _) = ReferenceTests.Single(t => t.Class.Name == className && t.Method == methodName);
        MethodInfo method = type.GetMethod(methodName) ?? throw new InvalidOperationException($"{className}.{methodName} not found");
        using (IsaPath.Force(isa))
        {
            Assert.Equal(isa, IsaPath.Current);
            int rows = 0;
            foreach (object?[] arguments in Rows(method))
            {
                object instance = Activator.CreateInstance(type)!;
                method.Invoke(instance, arguments);
                rows++;
            }
            Assert.True(rows > 0, $"{className}.{methodName} ran no cases");
        }
        Assert.Equal(IsaPath.Selected, IsaPath.Current);
    }

    [Fact]
    public void ForcingAPathChangesTheArithmeticAndEachPathRepeatsItsBits()
    {
        // A 3-row XWt runs the unpacked dot kernels, whose lane width sets the summation order: every path has its own
        // rounding, and each reproduces it exactly.
        const int m = 3, k = 999, n = 40;
        float[] x = GemmCheck.RandomMatrix(7, m * k);
        float[] w = GemmCheck.RandomMatrix(8, n * k);
        float[] reference = new float[m * n];
        GemmReference.XWt(x, w, reference, m, k, n);
        var results = new Dictionary<Isa, float[]>();
        foreach (Isa isa in Paths)
        {
            using (IsaPath.Force(isa))
            {
                float[] first = new float[m * n], second = new float[m * n];
                Gemm.XWt(x, w, first, m, k, n);
                Gemm.XWt(x, w, second, m, k, n);
                Assert.Equal(first, second);
                GemmCheck.AssertClose(reference, first, k, $"{isa} XWt");
                results[isa] = first;
            }
        }
        foreach (Isa a in results.Keys)
        {
            foreach (Isa b in results.Keys.Where(b => b > a))
            {
                Assert.False(results[a].AsSpan().SequenceEqual(results[b]), $"{a} and {b} gave the same bits: the path was not forced");
            }
        }
    }

    [Fact]
    public void ForceRestoresThePreviousPathAndRefusesMissingHardware()
    {
        using (IsaPath.Force(Isa.Scalar))
        {
            Assert.False(IsaPath.Use128);
            if (IsaPath.IsSupported(Isa.Vector128))
            {
                using (IsaPath.Force(Isa.Vector128))
                {
                    Assert.True(IsaPath.Use128);
                    Assert.False(IsaPath.Use256);
                }
            }
            Assert.Equal(Isa.Scalar, IsaPath.Current);
        }
        Assert.Equal(IsaPath.Selected, IsaPath.Current);
        foreach (Isa missing in Enum.GetValues<Isa>().Where(i => !IsaPath.IsSupported(i)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => IsaPath.Force(missing));
        }
    }

    [Fact]
    public void TheSettingNamesANarrowerPathOrExplainsWhyNot()
    {
        Assert.Equal((IsaPath.Hardware, (string?)null), IsaPath.Parse(null));
        Assert.Equal((Isa.Scalar, (string?)null), IsaPath.Parse(" Scalar "));
        Assert.Equal((IsaPath.Hardware, (string?)null), IsaPath.Parse(IsaPath.Name(IsaPath.Hardware)));
        var (path, error) = IsaPath.Parse("sse9");
        Assert.Equal(IsaPath.Hardware, path);
        Assert.Contains("expected avx512, avx2, vector128 or scalar", error, StringComparison.Ordinal);
        foreach (Isa missing in Enum.GetValues<Isa>().Where(i => !IsaPath.IsSupported(i)))
        {
            Assert.Contains("at most", IsaPath.Parse(IsaPath.Name(missing)).Error, StringComparison.Ordinal);
        }
    }

    /// <summary>Every data row of a test method (inline or member data, read now so member data sees the forced path),
    /// optional parameters filled with their defaults; a fact gives one empty row.</summary>
    private static IEnumerable<object?[]> Rows(MethodInfo method)
    {
        var sources = method.GetCustomAttributes<DataAttribute>().ToList();
        if (sources.Count == 0)
        {
            yield return [];
            yield break;
        }
        ParameterInfo[] parameters = method.GetParameters();
        foreach (DataAttribute source in sources)
        {
            foreach (object?[] row in source.GetData(method))
            {
                yield return row.Concat(parameters.Skip(row.Length).Select(p => p.DefaultValue)).ToArray();
            }
        }
    }
}
