// Splits a dataset's example indices over devices: IID, label-skewed by per-class Dirichlet proportions (as FedML and
// Flower do), or by natural group (each group wholly on one device). Every index lands on exactly one device; each
// device's list is sorted ascending; the same Rng state gives the same partition.
using FedSpine.Tensors;

namespace FedSpine.Federated.Data;

public static class Partitioner
{
    /// <summary>Dirichlet draws tried before giving up on the minimum-per-device requirement.</summary>
    public const int MaxDirichletDraws = 1000;

    /// <summary>A seeded shuffle of 0..count−1 dealt into devices contiguous parts whose sizes differ by at most one.</summary>
    public static int[][] Iid(int count, int devices, Rng rng)
    {
        CheckDevices(devices);
        if (count < devices)
        {
            throw new ArgumentException($"IID partition: {count} examples cannot give each of {devices} devices at least one");
        }
        var order = Enumerable.Range(0, count).ToArray();
        Shuffle(order, rng);
        var parts = new int[devices][];
        int start = 0;
        for (int i = 0; i < devices; i++)
        {
            int size = count / devices + (i < count % devices ? 1 : 0);
            parts[i] = order[start..(start + size)];
            Array.Sort(parts[i]);
            start += size;
        }
        return parts;
    }

    /// <summary>Label skew: for each class, proportions p ~ Dir(alpha) over the devices split that class's shuffled
    /// indices at floor(cumsum(p)·n_c). The whole draw is repeated until every device holds at least minPerDevice
    /// examples (at most MaxDirichletDraws times, then an error). Small alpha: each device sees few classes.</summary>
    public static int[][] Dirichlet(IReadOnlyList<int> labels, int classes, int devices, double alpha, Rng rng, int minPerDevice = 2)
    {
        CheckDevices(devices);
        if (classes < 1)
        {
            throw new ArgumentException($"Dirichlet partition: class count must be positive (got {classes})");
        }
        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentException($"Dirichlet partition: alpha must be positive and finite (got {alpha})");
        }
        if (minPerDevice < 0)
        {
            throw new ArgumentException($"Dirichlet partition: minimum per device must not be negative (got {minPerDevice})");
        }
        if ((long)devices * minPerDevice > labels.Count)
        {
            throw new ArgumentException($"Dirichlet partition: {labels.Count} examples cannot give each of {devices} devices at least {minPerDevice}");
        }
        var byClass = new List<int>[classes];
        for (int c = 0; c < classes; c++)
        {
            byClass[c] = [];
        }
        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"Dirichlet partition: example {i} has label {labels[i]} outside the {classes} classes");
            }
            byClass[labels[i]].Add(i);
        }
        for (int draw = 0; draw < MaxDirichletDraws; draw++)
        {
            var parts = Enumerable.Range(0, devices).Select(_ => new List<int>()).ToArray();
            foreach (var members in byClass)
            {
                var idx = members.ToArray();
                Shuffle(idx, rng);
                var p = DirichletSampler.Symmetric(alpha, devices, rng);
                double cumulative = 0;
                int start = 0;
                for (int dev = 0; dev < devices; dev++)
                {
                    cumulative += p[dev];
                    int end = dev == devices - 1 ? idx.Length : Math.Clamp((int)(cumulative * idx.Length), start, idx.Length);
                    parts[dev].AddRange(idx[start..end]);
                    start = end;
                }
            }
            if (parts.All(part => part.Count >= minPerDevice))
            {
                return parts.Select(part => part.Order().ToArray()).ToArray();
            }
        }
        throw new InvalidOperationException(
            $"Dirichlet partition (alpha {alpha}, {classes} classes, {labels.Count} examples, {devices} devices): after {MaxDirichletDraws} draws " +
            $"some device still had fewer than {minPerDevice} examples; raise alpha, lower the minimum per device, or use fewer devices");
    }

    /// <summary>Each natural group goes wholly to one device: groups, largest first (ties in a seeded random order), each to
    /// the device holding the fewest examples so far (ties in a seeded random device order). Every example needs a group,
    /// and there must be at least as many distinct groups as devices.</summary>
    public static int[][] ByGroup(IReadOnlyList<string?> groups, int devices, Rng rng)
    {
        CheckDevices(devices);
        var members = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var names = new List<string>(); // first-seen order, so the result does not depend on hashing
        int ungrouped = 0, firstUngrouped = -1;
        for (int i = 0; i < groups.Count; i++)
        {
            if (string.IsNullOrEmpty(groups[i]))
            {
                ungrouped++;
                firstUngrouped = firstUngrouped < 0 ? i : firstUngrouped;
                continue;
            }
            if (!members.TryGetValue(groups[i]!, out var list))
            {
                members[groups[i]!] = list = [];
                names.Add(groups[i]!);
            }
            list.Add(i);
        }
        if (ungrouped > 0)
        {
            throw new ArgumentException($"group partition: {ungrouped} example(s) have no group (first: example {firstUngrouped}); " +
                "give every example a group, or use iid or dirichlet partitioning");
        }
        if (names.Count < devices)
        {
            throw new ArgumentException($"group partition: only {names.Count} natural group(s) for {devices} devices; each device needs at least one group");
        }
        var order = names.ToArray();
        Shuffle(order, rng);
        order = order.OrderByDescending(g => members[g].Count).ToArray(); // stable: equal sizes keep the shuffled order
        var deviceOrder = Enumerable.Range(0, devices).ToArray();
        Shuffle(deviceOrder, rng);
        var parts = Enumerable.Range(0, devices).Select(_ => new List<int>()).ToArray();
        foreach (string g in order)
        {
            int target = deviceOrder[0];
            foreach (int dev in deviceOrder)
            {
                if (parts[dev].Count < parts[target].Count)
                {
                    target = dev;
                }
            }
            parts[target].AddRange(members[g]);
        }
        return parts.Select(part => part.Order().ToArray()).ToArray();
    }

    /// <summary>A seeded split of one device's indices: round(testFraction·n) to Test, clamped so that a device with at
    /// least two examples keeps at least one on each side (a single example stays in Train). Both sorted ascending.</summary>
    public static (int[] Train, int[] Test) SplitDevice(int[] indices, double testFraction, Rng rng)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentException($"test fraction must lie strictly between 0 and 1 (got {testFraction})");
        }
        var order = indices.ToArray();
        Shuffle(order, rng);
        int n = order.Length;
        int test = n < 2 ? 0 : Math.Clamp((int)Math.Round(testFraction * n, MidpointRounding.AwayFromZero), 1, n - 1);
        var testPart = order[..test];
        var trainPart = order[test..];
        Array.Sort(testPart);
        Array.Sort(trainPart);
        return (trainPart, testPart);
    }

    /// <summary>Fisher-Yates from the end, j uniform in [0, i].</summary>
    private static void Shuffle<T>(T[] items, Rng rng)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static void CheckDevices(int devices)
    {
        if (devices < 1)
        {
            throw new ArgumentException($"device count must be positive (got {devices})");
        }
    }
}
