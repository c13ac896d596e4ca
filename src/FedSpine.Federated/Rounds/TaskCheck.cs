// A device's check of a task before it trains on it: every LoRA factor and the head must be finite (a poisoned global
// state must not spread into the device's model); one line naming the first bad tensor, or null when the task is usable.
namespace FedSpine.Federated.Rounds;

public static class TaskCheck
{
    public static string? NonFinite(RoundTask task)
    {
        foreach (var f in task.Factors)
        {
            string module = $"layer {f.Layer} {f.Target.ToString().ToLowerInvariant()}";
            if (FirstNonFinite(f.A) is int a)
            {
                return $"round {task.Round} task: {module} A holds a non-finite value ({f.A[a]}) at index {a}; refusing to train on it";
            }
            if (FirstNonFinite(f.B) is int b)
            {
                return $"round {task.Round} task: {module} B holds a non-finite value ({f.B[b]}) at index {b}; refusing to train on it";
            }
        }
        if (FirstNonFinite(task.HeadWeight) is int w)
        {
            return $"round {task.Round} task: head weight holds a non-finite value ({task.HeadWeight[w]}) at index {w}; refusing to train on it";
        }
        if (FirstNonFinite(task.HeadBias) is int h)
        {
            return $"round {task.Round} task: head bias holds a non-finite value ({task.HeadBias[h]}) at index {h}; refusing to train on it";
        }
        return null;
    }

    private static int? FirstNonFinite(float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return null;
    }
}
