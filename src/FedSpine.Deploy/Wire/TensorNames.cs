// Names of the tensors in task and report messages (the checkpoint's names): lora.{layer}.{q_proj..}.A / .B, head.weight,
// head.bias; and the metadata key that carries each message's JSON fields.
using FedSpine.Model.Lora;

namespace FedSpine.Deploy.Wire;

public static class TensorNames
{
    public const string TaskKey = "fedspine_task";
    public const string ReportKey = "fedspine_report";
    public const string HeadWeight = "head.weight";
    public const string HeadBias = "head.bias";

    public static string A(int layer, LoraTarget target) => $"lora.{layer}.{target.ShortName()}.A";

    public static string B(int layer, LoraTarget target) => $"lora.{layer}.{target.ShortName()}.B";
}
