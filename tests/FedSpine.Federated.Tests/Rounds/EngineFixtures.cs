// Small deterministic pieces for round-engine tests: a tiny GQA config, a global LoRA on it, a pruned mask, and a valid
// device report for a task (factors of the right shapes, finite values) that tests then corrupt one field at a time.
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Rounds;

internal static class EngineFixtures
{
    public static LlamaConfig Config { get; } = new()
    {
        HiddenSize = 32, IntermediateSize = 37, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 8,
        VocabSize = 41, MaxPositionEmbeddings = 64,
    };

    public static LayerShape[] Shapes => Enumerable.Repeat(new LayerShape(4, 2, 37), 2).ToArray();

    public static GlobalLora Global(int rank = 4, ulong seed = 3)
    {
        var g = GlobalLora.Initialize(Config, Model.Lora.LoraTargets.All, rank, 2, Pooling.Mean, new Rng(seed));
        var rng = new Rng(seed + 1);
        foreach (var m in g.Modules.Values)
        {
            rng.FillGaussian(m.B, 0.1f);   // a non-zero ΔW, as after a few rounds
        }
        return g;
    }

    /// <summary>Layer 0 keeps heads 0,1 (KV group 0) and 20 channels; layer 1 keeps everything.</summary>
    public static PruningMask PrunedMask()
    {
        var full = PruningMask.Full(Shapes);
        var l0 = full.Layers[0];
        return new PruningMask([new LayerMask(4, 2, 37, [0, 1], Enumerable.Range(0, 37).Where(c => c % 2 == 0 || c > 30).Take(20).ToArray()), full.Layers[1]]);
    }

    public static RoundTask Task(GlobalLora global, PruningMask mask, int rank = 2, int round = 1, int device = 0)
    {
        float alpha = 2f * rank;
        return new RoundTask("run", round, device, mask, new Arm(0.1, rank), 0.25, 0.5, 3, 1e-3f, alpha,
            global.SliceFor(mask, rank, alpha), (float[])global.HeadWeight.Clone(), (float[])global.HeadBias.Clone(), null);
    }

    /// <summary>A valid upload for the task: its factors perturbed by small seeded noise, the same mask.</summary>
    public static DeviceReport Report(RoundTask task, ulong seed = 9)
    {
        var rng = new Rng(seed);
        var factors = task.Factors.Select(f =>
        {
            var a = (float[])f.A.Clone();
            var b = (float[])f.B.Clone();
            for (int i = 0; i < b.Length; i++)
            {
                b[i] += 0.05f * rng.NextGaussian();
            }
            return f with { A = a, B = b };
        }).ToList();
        return new DeviceReport(task.RunId, task.Round, task.DeviceId, task.Mask, factors, (float[])task.HeadWeight.Clone(), (float[])task.HeadBias.Clone(),
            50, 0.7, 0.6, 0.65, 0.8, 10, 1e9, 2.0, 0.5, 0.5, 0.01);
    }
}
