// Every criterion against a brute-force computation in double precision on a tiny model after a real backward pass:
// the effective-weight gradient D = ∂L/∂W is materialised from base gradients and the LoRA criterion rebuilt from it.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;

namespace FedSpine.Pruning.Tests;

public class ImportanceCriterionTests
{
    private const double Tolerance = 2e-4;

    [Theory]
    [InlineData("lora")]
    [InlineData("taylor")]
    [InlineData("magnitude")]
    public void ModuleScoresEqualBruteForce(string criterion)
    {
        var (context, _) = Backward(TinyModels.Gqa);
        var estimator = (ModuleImportanceEstimator)ImportanceEstimators.Create(criterion);
        foreach (int layer in new[] { 0, 2 })
        {
            foreach (var target in LoraTargets.All)
            {
                var expected = BruteModuleScores(context, layer, target, criterion);
                var actual = estimator.ModuleScores(context, layer, target);
                AssertClose(expected, actual, $"{criterion} layer {layer} {target}");
            }
        }
    }

    [Fact]
    public void FactorGradientsAreTheEffectiveGradientThroughTheScaledDelta()
    {
        // The derivation's premise: G_B = s·D·Aᵀ and G_A = s·Bᵀ·D with D = ∂L/∂W (checked on every adapter).
        var (context, _) = Backward(TinyModels.Gqa);
        foreach (var (layer, target, module, a) in context.Lora!.Adapters)
        {
            var d = Matrix(target.WeightOf(context.BaseGrads!.Layers[layer]));
            var g = context.LoraGrads![layer, target]!;
            AssertClose(Flat(Scale(Mul(d, Transpose(Matrix(a.A))), a.Scale)), g.B.Span.ToArray(), module + " dB");
            AssertClose(Flat(Scale(Mul(Transpose(Matrix(a.B)), d), a.Scale)), g.A.Span.ToArray(), module + " dA");
        }
    }

    [Fact]
    public void UnitScoresNormalisePerModuleAndShareKvScoresWithinGroups()
    {
        var (context, _) = Backward(TinyModels.Gqa);
        var estimator = new LoraGradientImportance();
        var scores = estimator.Estimate(context);
        const int layer = 1, group = 3;
        float[] Unit(LoraTarget t)
        {
            var v = estimator.ModuleScores(context, layer, t);
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            return v.Select(x => (float)(x / norm)).ToArray();
        }
        var (q, k, v, o) = (Unit(LoraTarget.Q), Unit(LoraTarget.K), Unit(LoraTarget.V), Unit(LoraTarget.O));
        var expectedHeads = Enumerable.Range(0, 6).Select(h => q[h] + o[h] + (k[h / group] + v[h / group]) / group).ToArray();
        var (gate, up, down) = (Unit(LoraTarget.Gate), Unit(LoraTarget.Up), Unit(LoraTarget.Down));
        var expectedChannels = Enumerable.Range(0, 37).Select(c => gate[c] + up[c] + down[c]).ToArray();
        AssertClose(expectedHeads.Select(x => (double)x).ToArray(), scores.Heads[layer], "heads");
        AssertClose(expectedChannels.Select(x => (double)x).ToArray(), scores.Channels[layer], "channels");
    }

    [Fact]
    public void TrackerAveragesInOriginalCoordinates()
    {
        LayerShape[] shapes = [new(4, 4, 5)];
        var tracker = new ImportanceTracker(shapes, decay: 0.9);
        var full = PruningMask.Full(shapes);
        tracker.Update(new UnitScores([[1f, 2f, 3f, 4f]], [[1f, 1f, 1f, 1f, 1f]]), full);
        var pruned = new PruningMask([new LayerMask(4, 4, 5, [1, 3], [0, 2, 4])]);
        tracker.Update(new UnitScores([[10f, 20f]], [[5f, 5f, 5f]]), pruned);
        // Kept units: 0.9·old + 0.1·new at their original index; removed units keep their last average.
        Assert.Equal(new[] { 0.1f, 0.18f + 1f, 0.3f, 0.36f + 2f }, tracker.Heads[0], new FloatComparer(1e-6f));
        Assert.Equal(new[] { 0.09f + 0.5f, 0.1f, 0.09f + 0.5f, 0.1f, 0.09f + 0.5f }, tracker.Channels[0], new FloatComparer(1e-6f));
        Assert.Equal(2, tracker.Updates);
    }

    /// <summary>A tiny model with random adapters after one backward pass filling both base and LoRA gradients.</summary>
    private static (ImportanceContext Context, float Loss) Backward(LlamaConfig config)
    {
        var model = TinyModels.Random(config, seed: 41);
        var lora = TinyModels.RandomLora(model, seed: 42);
        var loraGrads = lora.ZerosLike();
        var baseGrads = LlamaWeights.Allocate(config, model.LayerShapes);
        var graph = new TrainingGraph(model, lora, baseGrads, loraGrads, batch: 2, tokens: 8);
        var (inputs, targets) = TinyModels.Batch(2, 8, config.VocabSize, seed: 43);
        float loss = graph.ForwardBackward(inputs, targets);
        return (new ImportanceContext(model, lora, loraGrads, baseGrads), loss);
    }

    /// <summary>Per-unit module scores from the definitions, in double: element scores, then rows (q,k,v,gate,up) or
    /// columns (o,down) summed per unit.</summary>
    private static double[] BruteModuleScores(ImportanceContext c, int layer, LoraTarget target, string criterion)
    {
        var w = Matrix(target.WeightOf(c.Model.Layers[layer]));
        var d = Matrix(target.WeightOf(c.BaseGrads!.Layers[layer]));
        var a = c.Lora![layer, target]!;
        double s = a.Scale;
        double[,] A = Matrix(a.A), B = Matrix(a.B);
        var effective = Add(w, Scale(Mul(B, A), s));                       // W + s·B·A
        double[,] element = criterion switch
        {
            "magnitude" => Abs(effective),
            "taylor" => Abs(Hadamard(effective, d)),
            _ => LoraElement(d, A, B, s, effective),
        };
        bool byColumn = target is LoraTarget.O or LoraTarget.Down;
        int lines = byColumn ? element.GetLength(1) : element.GetLength(0);
        var sums = new double[lines];
        for (int i = 0; i < element.GetLength(0); i++)
        {
            for (int j = 0; j < element.GetLength(1); j++)
            {
                sums[byColumn ? j : i] += element[i, j];
            }
        }
        int width = target is LoraTarget.Gate or LoraTarget.Up or LoraTarget.Down ? 1 : c.Model.Config.HeadDim;
        return Enumerable.Range(0, lines / width).Select(u => sums.Skip(u * width).Take(width).Sum()).ToArray();
    }

    /// <summary>|Ĝ ⊙ (W + s·B·A)| with Ĝ = s·(G_B·A + B·G_A − G_B·G_A) and the factor gradients rebuilt from D.</summary>
    private static double[,] LoraElement(double[,] d, double[,] a, double[,] b, double s, double[,] effective)
    {
        var gB = Scale(Mul(d, Transpose(a)), s);    // [out, r]
        var gA = Scale(Mul(Transpose(b), d), s);    // [r, in]
        var g = Scale(Add(Add(Mul(gB, a), Mul(b, gA)), Scale(Mul(gB, gA), -1)), s);
        return Abs(Hadamard(g, effective));
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0, $"{what}: all-zero reference");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * scale, $"{what} [{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    private static double[,] Matrix(FedSpine.Tensors.Tensor t)
    {
        var m = new double[t.Dim(0), t.Dim(1)];
        var s = t.Span;
        for (int i = 0; i < t.Dim(0); i++)
        {
            for (int j = 0; j < t.Dim(1); j++)
            {
                m[i, j] = s[i * t.Dim(1) + j];
            }
        }
        return m;
    }

    private static double[] Flat(double[,] m) => m.Cast<double>().ToArray();

    private static double[,] Mul(double[,] x, double[,] y)
    {
        var r = new double[x.GetLength(0), y.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int k = 0; k < x.GetLength(1); k++)
            {
                for (int j = 0; j < y.GetLength(1); j++)
                {
                    r[i, j] += x[i, k] * y[k, j];
                }
            }
        }
        return r;
    }

    private static double[,] Transpose(double[,] x) => Map(new double[x.GetLength(1), x.GetLength(0)], (i, j) => x[j, i]);
    private static double[,] Add(double[,] x, double[,] y) => Map(new double[x.GetLength(0), x.GetLength(1)], (i, j) => x[i, j] + y[i, j]);
    private static double[,] Hadamard(double[,] x, double[,] y) => Map(new double[x.GetLength(0), x.GetLength(1)], (i, j) => x[i, j] * y[i, j]);
    private static double[,] Scale(double[,] x, double s) => Map(new double[x.GetLength(0), x.GetLength(1)], (i, j) => x[i, j] * s);
    private static double[,] Abs(double[,] x) => Map(new double[x.GetLength(0), x.GetLength(1)], (i, j) => Math.Abs(x[i, j]));

    private static double[,] Map(double[,] r, Func<int, int, double> f)
    {
        for (int i = 0; i < r.GetLength(0); i++)
        {
            for (int j = 0; j < r.GetLength(1); j++)
            {
                r[i, j] = f(i, j);
            }
        }
        return r;
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
