// What evaluating a task gives: its metric (accuracy for classification, perplexity for language modelling), the mean
// loss behind it (cross-entropy, lower is better for every task), and how many examples or tokens were scored.
using System.Globalization;

namespace FedSpine.Model.Tasks;

public sealed record EvalResult(string Metric, double Value, double Loss, long Count)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Metric} {Value:G4} (loss {Loss:F4} over {Count})");
}
