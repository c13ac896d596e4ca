// Checks that every device update fits the global module it is aggregated into: factor lengths match rank × kept
// indices, kept rows/columns are ascending and inside the module, weight and scale are finite; one clear message each.
namespace FedSpine.Federated.Aggregation;

internal static class UpdateValidation
{
    /// <param name="rankAtMostGlobal">True for strategies that place device ranks into the global rank slots (no truncation).</param>
    public static void Check(string strategy, GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates, bool rankAtMostGlobal)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(updates);
        for (int i = 0; i < updates.Count; i++)
        {
            var u = updates[i] ?? throw new ArgumentException($"{strategy}: update {i} is null");
            string what = $"{strategy}: update {i} does not fit the global module {global.Out}x{global.In} (rank {global.Rank})";
            if (u.Rank < 1)
            {
                throw new ArgumentException($"{what}: rank {u.Rank}, expected at least 1");
            }
            if (rankAtMostGlobal && u.Rank > global.Rank)
            {
                throw new ArgumentException($"{what}: rank {u.Rank} exceeds the global rank {global.Rank} this strategy zero-pads to");
            }
            CheckIndices(what, "kept rows", u.KeptRows, global.Out);
            CheckIndices(what, "kept columns", u.KeptColumns, global.In);
            if (u.B is null || u.B.Length != u.KeptRows.Length * u.Rank)
            {
                throw new ArgumentException($"{what}: B has {u.B?.Length ?? 0} values, expected [{u.KeptRows.Length} kept rows, rank {u.Rank}] = {u.KeptRows.Length * u.Rank}");
            }
            if (u.A is null || u.A.Length != u.Rank * u.KeptColumns.Length)
            {
                throw new ArgumentException($"{what}: A has {u.A?.Length ?? 0} values, expected [rank {u.Rank}, {u.KeptColumns.Length} kept columns] = {u.Rank * u.KeptColumns.Length}");
            }
            if (!float.IsFinite(u.Scale))
            {
                throw new ArgumentException($"{what}: scale {u.Scale} is not finite");
            }
            if (!double.IsFinite(u.Weight) || u.Weight < 0)
            {
                throw new ArgumentException($"{what}: weight {u.Weight}, expected a finite non-negative sample count");
            }
        }
    }

    private static void CheckIndices(string what, string name, int[]? indices, int size)
    {
        if (indices is null)
        {
            throw new ArgumentException($"{what}: {name} are missing");
        }
        if (indices.Length > size)
        {
            throw new ArgumentException($"{what}: {indices.Length} {name}, the module has only {size}");
        }
        int previous = -1;
        foreach (int index in indices)
        {
            if (index <= previous || index >= size)
            {
                throw new ArgumentException($"{what}: {name} must be ascending indices in [0, {size}), found {index} after {previous}");
            }
            previous = index;
        }
    }
}
