// One instruction-tuning record: the instruction, an optional context (empty when absent), the reference response and
// its category (Dolly's `category`; "general" for Alpaca, which has none), with the file line it came from.
namespace FedSpine.Model.Tasks;

public sealed record InstructRecord(string Instruction, string Context, string Response, string Category, int Line = 0)
{
    /// <summary>Category given to records of a schema without one (Alpaca).</summary>
    public const string NoCategory = "general";
}
