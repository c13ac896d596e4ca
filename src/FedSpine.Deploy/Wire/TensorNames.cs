// Names of the tensors in task and report messages (the checkpoint's names): lora.{layer}.{q_proj..}.A / .B, head.weight,
// head.bias (absent for the instruct task, which has no head); and the metadata key that carries each message's JSON fields.
using FedSpine.Federated.Rounds;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Deploy.Wire;

public static class TensorNames
{
    public const string TaskKey = "fedspine_task";
    public const string ReportKey = "fedspine_report";
    public const string HeadWeight = "head.weight";
    public const string HeadBias = "head.bias";

    public static string A(int layer, LoraTarget target) => $"lora.{layer}.{target.ShortName()}.A";

    public static string B(int layer, LoraTarget target) => $"lora.{layer}.{target.ShortName()}.B";

    /// <summary>A message's tensors under these names: every module's A [rank, in] and B [out, rank], then the head
    /// weight [classes, hidden] and bias [classes]; no head at all for the instruct task (no classes).</summary>
    public static List<KeyValuePair<string, Tensor>> Of(IReadOnlyList<ModuleFactors> factors, float[] headWeight, float[] headBias)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var f in factors)
        {
            tensors.Add(new(A(f.Layer, f.Target), new Tensor(f.A, 0, f.Rank, f.In)));
            tensors.Add(new(B(f.Layer, f.Target), new Tensor(f.B, 0, f.Out, f.Rank)));
        }
        int classes = headBias.Length;
        if (classes == 0)
        {
            return tensors;
        }
        tensors.Add(new(HeadWeight, new Tensor(headWeight, 0, classes, headWeight.Length / classes)));
        tensors.Add(new(HeadBias, new Tensor(headBias, 0, classes)));
        return tensors;
    }
}
