// A one-line progress bar on stderr (redrawn in place on a terminal, a line every 10% otherwise).
// Shows done/total, rate and an optional status such as the loss.
using System.Diagnostics;

namespace FedSpine.Cli.Infrastructure;

internal sealed class ProgressBar
{
    private readonly string _label;
    private readonly int _total;
    private readonly string _unit;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private int _lastDecile = -1;

    public ProgressBar(string label, int total, string unit = "it")
    {
        _label = label;
        _total = Math.Max(1, total);
        _unit = unit;
    }

    public void Report(int done, string status = "", double unitsDone = double.NaN)
    {
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        double rate = (double.IsNaN(unitsDone) ? done : unitsDone) / seconds;
        int width = 24;
        int filled = (int)Math.Round(width * (double)done / _total);
        string line = $"{_label} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{_total} {rate:F1} {_unit}/s {status}";
        if (_interactive)
        {
            Console.Error.Write("\r" + line.PadRight(Math.Min(Console.BufferWidth > 0 ? Console.BufferWidth - 1 : 100, 120)));
            if (done >= _total)
            {
                Console.Error.WriteLine();
            }
        }
        else
        {
            int decile = done * 10 / _total;
            if (decile != _lastDecile)
            {
                _lastDecile = decile;
                Console.Error.WriteLine(line);
            }
        }
    }
}
