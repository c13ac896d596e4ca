// The one prompt template of the instruct task (Alpaca/Dolly style): "### Instruction:\n{instruction}\n\n", then
// "### Context:\n{context}\n\n" only when the context is non-empty, then the response marker "### Response:\n".
namespace FedSpine.Model.Tasks;

public static class InstructTemplate
{
    public const string InstructionMarker = "### Instruction:\n";
    public const string ContextMarker = "### Context:\n";
    public const string ResponseMarker = "### Response:\n";

    /// <summary>The prompt the model sees before the response (tokenized with BOS first; the response follows it,
    /// tokenized on its own, then the end-of-text token).</summary>
    public static string Prompt(string instruction, string context)
    {
        string trimmedContext = context.Trim();
        return trimmedContext.Length == 0
            ? $"{InstructionMarker}{instruction.Trim()}\n\n{ResponseMarker}"
            : $"{InstructionMarker}{instruction.Trim()}\n\n{ContextMarker}{trimmedContext}\n\n{ResponseMarker}";
    }

    /// <summary>The whole training text of a record: prompt then response (the end-of-text token is a token, not text).</summary>
    public static string Format(InstructRecord record) => Prompt(record.Instruction, record.Context) + record.Response.Trim();

    /// <summary>Inverse of Format: instruction, context (empty when absent) and response; throws when text is not in the template.</summary>
    public static (string Instruction, string Context, string Response) Parse(string text)
    {
        if (!text.StartsWith(InstructionMarker, StringComparison.Ordinal))
        {
            throw new FormatException($"not an instruct prompt: it does not start with '{InstructionMarker.TrimEnd()}'");
        }
        int response = text.IndexOf("\n\n" + ResponseMarker, StringComparison.Ordinal);
        if (response < 0)
        {
            throw new FormatException($"not an instruct prompt: no '{ResponseMarker.TrimEnd()}' marker");
        }
        string head = text[InstructionMarker.Length..response];
        string answer = text[(response + 2 + ResponseMarker.Length)..];
        int context = head.IndexOf("\n\n" + ContextMarker, StringComparison.Ordinal);
        return context < 0
            ? (head, "", answer)
            : (head[..context], head[(context + 2 + ContextMarker.Length)..], answer);
    }
}
