// One linear module of one layer as an importance criterion sees it: the frozen weight [out, in], its adapter (if any),
// and whichever gradients the step produced; shapes are checked against the weight when the view is made.
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public sealed record ModuleView(int Layer, LoraTarget Target, Tensor Weight, LoraAdapter? Adapter, LoraAdapter? DAdapter, Tensor? DWeight)
{
    public int Out => Weight.Dim(0);
    public int In => Weight.Dim(1);

    public static ModuleView Of(ImportanceContext context, int layer, LoraTarget target)
    {
        var weight = target.WeightOf(context.Model.Layers[layer]);     // [out, in]
        var adapter = context.Lora?[layer, target];
        var dAdapter = context.LoraGrads?[layer, target];
        var dWeight = context.BaseGrads is null ? null : target.WeightOf(context.BaseGrads.Layers[layer]);
        string name = $"layer {layer} {target.ShortName()}";
        if (adapter is not null && (adapter.Out != weight.Dim(0) || adapter.In != weight.Dim(1)))
        {
            throw new ArgumentException($"{name}: adapter is {adapter.Out}x{adapter.In} but the weight is {weight}");
        }
        if (adapter is not null && dAdapter is not null && (!dAdapter.A.SameShape(adapter.A.Shape) || !dAdapter.B.SameShape(adapter.B.Shape)))
        {
            throw new ArgumentException($"{name}: adapter gradients {dAdapter.A}, {dAdapter.B} do not match the adapter {adapter.A}, {adapter.B}");
        }
        if (dWeight is not null && !dWeight.SameShape(weight.Shape))
        {
            throw new ArgumentException($"{name}: base gradient {dWeight} does not match the weight {weight}");
        }
        return new ModuleView(layer, target, weight, adapter, dAdapter, dWeight);
    }

    /// <summary>effective [rows, in] = rows [row0, row0+rows) of W + s·B·A (just W without an adapter).</summary>
    public void EffectiveRows(int row0, int rows, Span<float> effective)
    {
        Weight.Span.Slice(row0 * In, rows * In).CopyTo(effective);
        if (Adapter is { } a)
        {
            int r = a.Rank;
            Gemm.Multiply(false, false, rows, In, r, a.Scale, a.B.Span.Slice(row0 * r, rows * r), r, a.A.Span, In, 1f, effective, In);
        }
    }
}
