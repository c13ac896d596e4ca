// AdamW over a ParameterSet: first and second moments carved from one arena; the step counter is part of its state.
// The learning rate may change every step (schedules); weight decay is decoupled, as torch.optim.AdamW.
using FedSpine.Tensors;

namespace FedSpine.Model.Training;

public sealed class AdamWOptimizer
{
    private readonly ParameterSet _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;

    public AdamWOptimizer(ParameterSet parameters, AdamWSettings settings)
    {
        _parameters = parameters;
        Settings = settings;
        var arena = new TensorArena();
        for (int i = 0; i < parameters.Items.Count; i++)
        {
            var shape = parameters.Items[i].Value.Shape.ToArray();
            arena.Add($"m{i}", shape).Add($"v{i}", shape);
        }
        StateBytes = arena.TotalBytes;
        var t = arena.Allocate();
        _m = Enumerable.Range(0, parameters.Items.Count).Select(i => t[$"m{i}"]).ToArray();
        _v = Enumerable.Range(0, parameters.Items.Count).Select(i => t[$"v{i}"]).ToArray();
    }

    public AdamWSettings Settings { get; set; }
    public int StepCount { get; private set; }
    public long StateBytes { get; }

    /// <summary>First and second moments per parameter, in ParameterSet order (for checkpoints and pruning).</summary>
    public IReadOnlyList<(Tensor M, Tensor V)> Moments => _m.Zip(_v).ToArray();

    /// <summary>One update of every parameter from its gradient.</summary>
    public void Step()
    {
        StepCount++;
        var items = _parameters.Items;
        for (int i = 0; i < items.Count; i++)
        {
            AdamW.Step(items[i].Value.Span, items[i].Grad.Span, _m[i].Span, _v[i].Span, Settings, StepCount);
        }
    }

    /// <summary>Restores the step counter (checkpoint resume).</summary>
    public void SetStepCount(int step) => StepCount = step;
}
