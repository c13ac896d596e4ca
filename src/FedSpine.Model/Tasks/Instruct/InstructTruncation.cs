// How an instruct example that is too long for its row is cut, keeping the response: the prompt gives way first (its head,
// BOS and the start of the instruction, and its tail, the response marker, survive), down to a quarter of the row.
namespace FedSpine.Model.Tasks;

public static class InstructTruncation
{
    /// <summary>Fits prompt (BOS first) + response (EOS last) into limit ids. Rule: if they fit, nothing is cut. Otherwise
    /// the prompt keeps P = max(limit − |response|, min(|prompt|, ⌊limit/4⌋)) ids, its first ⌈P/2⌉ and last ⌊P/2⌋
    /// (the middle goes); if the response still does not fit, it keeps its first limit − P ids (losing EOS).
    /// Returns the ids and the kept prompt length.</summary>
    public static (int[] Ids, int PromptLength) Fit(ReadOnlySpan<int> prompt, ReadOnlySpan<int> response, int limit)
    {
        if (prompt.Length < 1 || response.Length < 1)
        {
            throw new ArgumentException($"an instruct example needs a prompt and a response (got {prompt.Length} and {response.Length} ids)");
        }
        if (limit < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), $"rows of {limit} ids are too short for an instruct example (at least 4)");
        }
        if (prompt.Length + response.Length <= limit)
        {
            return ([.. prompt, .. response], prompt.Length);
        }
        int keptPrompt = Math.Max(limit - response.Length, Math.Min(prompt.Length, limit / 4));
        keptPrompt = Math.Max(1, keptPrompt);
        int head = (keptPrompt + 1) / 2, tail = keptPrompt - head;
        int keptResponse = Math.Min(response.Length, limit - keptPrompt);
        var ids = new int[keptPrompt + keptResponse];
        prompt[..head].CopyTo(ids);
        prompt[(prompt.Length - tail)..].CopyTo(ids.AsSpan(head));
        response[..keptResponse].CopyTo(ids.AsSpan(keptPrompt));
        return (ids, keptPrompt);
    }
}
