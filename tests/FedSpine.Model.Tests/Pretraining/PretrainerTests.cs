// Pretraining end to end on small streams: perplexity falls, a resumed run continues bit for bit, and a corrupt,
// foreign or mismatched checkpoint is refused with a message that says why.
using FedSpine.Model.Formats;
using FedSpine.Model.Pretraining;
using FedSpine.Model.Tasks;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Pretraining;

public sealed class PretrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fedspine-pretrain-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [SharedDataFact]
    public void AustenValidationPerplexityFallsClearly()
    {
        var (tokens, vocab) = PretrainCorpora.Austen();
        var (train, heldOut) = tokens.SplitTail(0.05);
        var config = new PretrainConfig
        {
            Hidden = 64, Layers = 2, Heads = 4, KvHeads = 2, Ffn = 172, Vocab = vocab, Context = 64,
            Batch = 8, SeqLen = 64, Steps = 150, LearningRate = 3e-3f, MinLearningRate = 3e-4f, WarmupSteps = 15,
            EvalEvery = 150, CheckpointEvery = 150,
        };
        var trainer = Pretrainer.Start(config, train, heldOut);
        double before = Math.Exp(trainer.ValidationLoss());
        var reports = new List<PretrainStepReport>();
        trainer.Run(config.Steps, checkpointFolder: null, reports.Add);
        double after = reports[^1].ValidationPerplexity!.Value;
        Assert.InRange(before, 300, 800); // near uniform over 512 ids at initialisation
        Assert.True(after < before / 4, $"validation perplexity {before:F1} → {after:F1}");
        Assert.Equal(after, Math.Exp(trainer.BestValidationLoss!.Value), 9);
        Assert.Equal(150L * 8 * 64, trainer.TokensSeen);
        Assert.All(reports, r => Assert.True(r.GradientNorm > 0 && r.TokensPerSecond > 0));
    }

    [Fact]
    public void ResumedRunEqualsAnUninterruptedRunBitForBit()
    {
        var data = PretrainCorpora.Synthetic(32, 4000, 1);
        var (train, heldOut) = data.SplitTail(0.1);
        var config = PretrainCorpora.TinyConfig(32, steps: 12);

        var whole = Pretrainer.Start(config, train, heldOut);
        var wholeReports = new List<PretrainStepReport>();
        whole.Run(12, Path.Combine(_dir, "whole"), wholeReports.Add);

        string folder = Path.Combine(_dir, "split");
        var first = Pretrainer.Start(config, train, heldOut);
        var splitReports = new List<PretrainStepReport>();
        first.Run(6, folder, splitReports.Add); // the process "dies" after the step-6 checkpoint
        Assert.True(splitReports[^1].CheckpointWritten);
        var resumed = Pretrainer.Resume(Path.Combine(folder, Pretrainer.CheckpointFileName), config, train, heldOut);
        Assert.Equal(6, resumed.Step);
        resumed.Run(12, folder, splitReports.Add);

        Assert.Equal(wholeReports.Select(r => (r.Step, r.Loss, r.LearningRate, r.ValidationLoss)),
                     splitReports.Select(r => (r.Step, r.Loss, r.LearningRate, r.ValidationLoss)));
        foreach (var (name, tensor) in whole.Model.NamedTensors)
        {
            Assert.True(tensor.Span.SequenceEqual(resumed.Model.Find(name)!.Span), $"{name} differs after resume");
        }
        Assert.Equal(whole.BestValidationLoss, resumed.BestValidationLoss);
        Assert.Equal(whole.TokensSeen, resumed.TokensSeen);
        Assert.True(wholeReports[^1].Loss < wholeReports[0].Loss);
    }

    [Fact]
    public void CorruptCheckpointIsRefused()
    {
        string path = SavedCheckpoint(out var config, out var train, out var heldOut);
        var bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(path, config, train, heldOut));
        Assert.Contains("corrupt", e.Message);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var truncated = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(path, config, train, heldOut));
        Assert.Contains(path, truncated.Message);
    }

    [Fact]
    public void CheckpointOfAnotherConfigOrDataIsRefused()
    {
        string path = SavedCheckpoint(out var config, out var train, out var heldOut);
        var shape = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(path, config with { Hidden = 64 }, train, heldOut));
        Assert.Contains("hidden: 32 → 64", shape.Message);
        var lr = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(path, config with { LearningRate = 1e-3f }, train, heldOut));
        Assert.Contains("lr:", lr.Message);
        var (otherTrain, _) = PretrainCorpora.Synthetic(32, 4000, 2).SplitTail(0.1);
        var data = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(path, config, otherTrain, heldOut));
        Assert.Contains("training tokens differ", data.Message);
    }

    [Fact]
    public void ModelFileIsNotACheckpoint()
    {
        SavedCheckpoint(out var config, out var train, out var heldOut);
        string model = Path.Combine(_dir, "hf");
        HfModelFolder.Save(model, Pretrainer.Start(config, train, heldOut).Model);
        string path = Path.Combine(model, "model.safetensors");
        var e = Assert.Throws<InvalidDataException>(() => Pretrainer.Resume(path, config, train, heldOut));
        Assert.Contains("not a FedSpine pretraining checkpoint", e.Message);
        Assert.Throws<FileNotFoundException>(() => Pretrainer.Resume(Path.Combine(_dir, "none.safetensors"), config, train, heldOut));
    }

    [Fact]
    public void SameSeedSameStartDifferentSeedDifferentStart()
    {
        var (train, heldOut) = PretrainCorpora.Synthetic(32, 4000, 1).SplitTail(0.1);
        var config = PretrainCorpora.TinyConfig(32, steps: 3);
        var a = Pretrainer.Start(config, train, heldOut);
        var b = Pretrainer.Start(config, train, heldOut);
        var c = Pretrainer.Start(config with { Seed = 6 }, train, heldOut);
        float la = a.TrainStep().Loss, lb = b.TrainStep().Loss, lc = c.TrainStep().Loss;
        Assert.Equal(la, lb);
        Assert.NotEqual(la, lc);
    }

    [Fact]
    public void ContinuedPretrainingStartsFromTheGivenWeights()
    {
        var (train, heldOut) = PretrainCorpora.Synthetic(32, 4000, 1).SplitTail(0.1);
        var config = PretrainCorpora.TinyConfig(32, steps: 3);
        var source = Pretrainer.Start(config with { Seed = 9 }, train, heldOut).Model;
        var continued = Pretrainer.Start(config, train, heldOut, source);
        Assert.True(continued.Model.TokenEmbedding.Span.SequenceEqual(source.TokenEmbedding.Span));
        Assert.NotSame(source, continued.Model);
        var other = LlamaWeights.Allocate(config.ModelConfig() with { HiddenSize = 64, HeadDim = 16 });
        Assert.Throws<ArgumentException>(() => Pretrainer.Start(config, train, heldOut, other));
    }

    [Fact]
    public void TooLittleDataOrBadSettingsAreClearErrors()
    {
        var config = PretrainCorpora.TinyConfig(32, steps: 3);
        var big = PretrainCorpora.Synthetic(32, 4000, 1);
        var small = new LanguageModelDataset([1, 2, 3, 4, 5], "five");
        Assert.Contains("validation tokens", Assert.Throws<ArgumentException>(() => Pretrainer.Start(config, big, small)).Message);
        Assert.Contains("training tokens", Assert.Throws<ArgumentException>(() => Pretrainer.Start(config, small, big)).Message);
        Assert.Contains("seq_len (64) must not exceed context (32)",
            Assert.Throws<ArgumentException>(() => Pretrainer.Start(config with { SeqLen = 64 }, big, big)).Message);
        Assert.Contains("warmup", Assert.Throws<ArgumentException>(() => Pretrainer.Start(config with { WarmupSteps = 9 }, big, big)).Message);
    }

    [Fact]
    public void ScaledInitialisationShrinksResidualProjections()
    {
        var weights = LlamaWeights.Allocate(PretrainCorpora.TinyConfig(32, 1).ModelConfig() with { HiddenSize = 64, HeadDim = 16, IntermediateSize = 128 });
        ScaledInitializer.Initialize(weights, 0.02f, new Rng(3));
        static double Std(Tensor t) => Math.Sqrt(t.Span.ToArray().Select(v => (double)v * v).Average());
        Assert.All(weights.NamedTensors.Where(p => p.Value.Rank == 1), p => Assert.True(p.Value.Span.ToArray().All(v => v == 1f), p.Key));
        Assert.InRange(Std(weights.Layers[0].Wq), 0.018, 0.022);
        Assert.InRange(Std(weights.TokenEmbedding), 0.018, 0.022);
        Assert.InRange(Std(weights.Layers[1].Down), 0.01 * 0.9, 0.01 * 1.1); // 0.02/√(2·2)
        Assert.InRange(Std(weights.Layers[1].Wo), 0.01 * 0.9, 0.01 * 1.1);
    }

    private string SavedCheckpoint(out PretrainConfig config, out LanguageModelDataset train, out LanguageModelDataset heldOut)
    {
        (train, heldOut) = PretrainCorpora.Synthetic(32, 4000, 1).SplitTail(0.1);
        config = PretrainCorpora.TinyConfig(32, steps: 6);
        var trainer = Pretrainer.Start(config, train, heldOut);
        trainer.Run(6, _dir);
        return Path.Combine(_dir, Pretrainer.CheckpointFileName);
    }
}
