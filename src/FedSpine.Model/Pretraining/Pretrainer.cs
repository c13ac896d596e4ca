// Full-parameter pretraining of a LLaMA model on a token stream: random windows, AdamW (decay on matrices only),
// warm-up + cosine learning rate, global-norm clipping, periodic held-out loss and checkpoints that resume exactly.
using System.Diagnostics;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Pretraining;

public sealed partial class Pretrainer
{
    public const string CheckpointFileName = "checkpoint.safetensors";

    private readonly LanguageModelDataset _train;
    private readonly LanguageModelDataset _validation;
    private readonly ParameterSet _all;          // every weight: zeroing and global-norm clipping
    private readonly ParameterSet _decayed;      // matrices except the embedding (and a tied head): weight decay
    private readonly ParameterSet _undecayed;    // embedding and RMSNorm weights: no decay
    private readonly AdamWOptimizer _decayedOptimizer;
    private readonly AdamWOptimizer _undecayedOptimizer;
    private readonly TrainingGraph _graph;
    private readonly Rng _rng;
    private readonly int[] _inputs;              // [batch·seq_len]
    private readonly int[] _targets;             // [batch·seq_len]

    private Pretrainer(PretrainConfig config, LlamaWeights model, LanguageModelDataset train, LanguageModelDataset validation)
    {
        config.Validate();
        if (train.Count < config.SeqLen + 1)
        {
            throw new ArgumentException($"{train.Source}: {train.Count} training tokens, fewer than one window of seq_len+1 = {config.SeqLen + 1}");
        }
        if (validation.WindowCount(config.SeqLen) == 0)
        {
            throw new ArgumentException($"{validation.Source}: {validation.Count} validation tokens, fewer than one window of seq_len+1 = {config.SeqLen + 1}");
        }
        Config = config;
        Model = model;
        _train = train;
        _validation = validation;
        var grads = LlamaWeights.Allocate(model.Config, model.LayerShapes);
        _all = ParameterSet.FromModel(model, grads);
        _decayed = new ParameterSet(_all.Items.Where(p => Decays(p.Name, p.Value)).ToList());
        _undecayed = new ParameterSet(_all.Items.Where(p => !Decays(p.Name, p.Value)).ToList());
        _decayedOptimizer = new AdamWOptimizer(_decayed, new AdamWSettings(config.LearningRate, config.Beta1, config.Beta2, 1e-8f, config.WeightDecay));
        _undecayedOptimizer = new AdamWOptimizer(_undecayed, new AdamWSettings(config.LearningRate, config.Beta1, config.Beta2, 1e-8f, 0f));
        _graph = new TrainingGraph(model, null, grads, null, config.Batch, config.SeqLen);
        _rng = new Rng(config.Seed);
        _inputs = new int[config.TokensPerStep];
        _targets = new int[config.TokensPerStep];
    }

    public PretrainConfig Config { get; }

    /// <summary>The weights being trained (updated in place every step).</summary>
    public LlamaWeights Model { get; }

    /// <summary>Optimizer steps done so far.</summary>
    public int Step { get; private set; }

    public long TokensSeen { get; private set; }
    public double? BestValidationLoss { get; private set; }
    public double? LastValidationLoss { get; private set; }

    /// <summary>Seconds spent in training steps over all sessions of this run (resumes included).</summary>
    public double TrainSeconds { get; private set; }

    /// <summary>A fresh run: weights from <see cref="ScaledInitializer"/> with the config's seed, or a copy of
    /// <paramref name="initial"/> (continued pretraining; its shape must be the config's).</summary>
    public static Pretrainer Start(PretrainConfig config, LanguageModelDataset train, LanguageModelDataset validation, LlamaWeights? initial = null)
    {
        config.Validate();
        if (initial is null)
        {
            var model = LlamaWeights.Allocate(config.ModelConfig());
            var trainer = new Pretrainer(config, model, train, validation);
            ScaledInitializer.Initialize(model, config.InitStd, trainer._rng);
            return trainer;
        }
        if (config.WithShapeOf(initial.Config) != config || !initial.LayerShapes.SequenceEqual(LlamaWeights.UniformShapes(initial.Config)))
        {
            throw new ArgumentException("the initial model's shape differs from the pretraining config (or its layers are pruned); " +
                                        "take the shape from the model with PretrainConfig.WithShapeOf");
        }
        return new Pretrainer(config, initial.Clone(), train, validation);
    }

    /// <summary>One optimizer step on a batch of random training windows. Returns the step's report (no validation).</summary>
    public PretrainStepReport TrainStep()
    {
        if (Step >= Config.Steps)
        {
            throw new InvalidOperationException($"the run is complete: {Step} of {Config.Steps} steps done");
        }
        long start = Stopwatch.GetTimestamp();
        _all.ZeroGradients();
        _train.RandomWindows(_rng, Config.Batch, Config.SeqLen, _inputs, _targets);
        float loss = _graph.ForwardBackward(_inputs, _targets);
        if (!float.IsFinite(loss))
        {
            throw new InvalidOperationException($"training loss became {loss} at step {Step + 1}; lower the learning rate (lr {Config.LearningRate})");
        }
        double norm = _all.ClipGradients(Config.ClipNorm);
        float lr = LearningRateSchedule.At(Step + 1, Config);
        _decayedOptimizer.Settings = _decayedOptimizer.Settings with { LearningRate = lr };
        _undecayedOptimizer.Settings = _undecayedOptimizer.Settings with { LearningRate = lr };
        _decayedOptimizer.Step();
        _undecayedOptimizer.Step();
        Step++;
        TokensSeen += Config.TokensPerStep;
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        TrainSeconds += seconds;
        return new PretrainStepReport(Step, loss, lr, norm, Config.TokensPerStep / Math.Max(seconds, 1e-9), null, false);
    }

    /// <summary>Mean next-token cross-entropy over every non-overlapping seq_len window of the validation tokens.</summary>
    public double ValidationLoss()
    {
        double sum = 0;
        long count = 0;
        int windows = _validation.WindowCount(Config.SeqLen);
        for (int first = 0; first < windows; first += Config.Batch)
        {
            int rows = _validation.SequentialWindows(first, Config.Batch, Config.SeqLen, _inputs, _targets);
            long scored = (long)rows * Config.SeqLen;
            sum += _graph.Loss(_inputs, _targets) * (double)scored;
            count += scored;
        }
        return sum / count;
    }

    /// <summary>Trains up to <paramref name="untilStep"/> (at most the config's steps): validation every eval_every steps
    /// and at the run's last step, a checkpoint into <paramref name="checkpointFolder"/> (when given) every
    /// checkpoint_every steps and where this session stops.</summary>
    public void Run(int untilStep, string? checkpointFolder, Action<PretrainStepReport>? report = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(untilStep, Config.Steps);
        long sessionTokens = 0;
        double sessionSeconds = 0;
        while (Step < untilStep)
        {
            var r = TrainStep();
            sessionTokens += Config.TokensPerStep;
            sessionSeconds += Config.TokensPerStep / r.TokensPerSecond;
            double? validation = null;
            if (Step % Config.EvalEvery == 0 || Step == Config.Steps)
            {
                validation = ValidationLoss();
                LastValidationLoss = validation;
                BestValidationLoss = Math.Min(BestValidationLoss ?? double.PositiveInfinity, validation.Value);
            }
            bool checkpoint = checkpointFolder is not null && (Step % Config.CheckpointEvery == 0 || Step == untilStep);
            if (checkpoint)
            {
                SaveCheckpoint(Path.Combine(checkpointFolder!, CheckpointFileName));
            }
            report?.Invoke(r with { TokensPerSecond = sessionTokens / sessionSeconds, ValidationLoss = validation, CheckpointWritten = checkpoint });
        }
    }

    /// <summary>Weight decay applies to 2-D weights except the token embedding (and so a tied LM head).</summary>
    private static bool Decays(string name, Tensor value) => value.Rank == 2 && name != "model.embed_tokens.weight";
}
