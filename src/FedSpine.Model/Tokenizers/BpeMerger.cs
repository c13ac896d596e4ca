// Byte-pair merging shared by both tokenizers: repeatedly merge the adjacent pair with the highest priority, the
// leftmost on ties, until no pair merges. A priority queue with lazy invalidation makes this O(n log n), not O(n²).
namespace FedSpine.Model.Tokenizers;

/// <summary>What merging (left, right) yields, and how early it happens (higher first).</summary>
internal readonly record struct BpeMerge(double Priority, int Merged);

internal static class BpeMerger
{
    /// <summary>Merges <paramref name="symbols"/> in place; pairs absent from <paramref name="merges"/> never merge.</summary>
    public static void Merge(List<int> symbols, Dictionary<(int Left, int Right), BpeMerge> merges)
    {
        int n = symbols.Count;
        if (n < 2)
        {
            return;
        }
        var ids = symbols.ToArray();   // id at each original position; -1 once merged into its left neighbour
        var next = new int[n];         // next live position, n at the end
        var prev = new int[n];         // previous live position, -1 at the start
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        var queue = new PriorityQueue<(int Left, int Right, int LeftId, int RightId, int Merged), (double Priority, int Left)>(Earlier.Instance);
        void Offer(int left, int right)
        {
            if (left >= 0 && right < n && merges.TryGetValue((ids[left], ids[right]), out var merge))
            {
                queue.Enqueue((left, right, ids[left], ids[right], merge.Merged), (merge.Priority, left));
            }
        }
        for (int i = 0; i + 1 < n; i++)
        {
            Offer(i, i + 1);
        }
        while (queue.TryDequeue(out var pair, out _))
        {
            bool stale = ids[pair.Left] != pair.LeftId || ids[pair.Right] != pair.RightId || next[pair.Left] != pair.Right;
            if (stale)
            {
                continue;
            }
            ids[pair.Left] = pair.Merged;
            ids[pair.Right] = -1;
            next[pair.Left] = next[pair.Right];
            if (next[pair.Left] < n)
            {
                prev[next[pair.Left]] = pair.Left;
            }
            Offer(prev[pair.Left], pair.Left);
            Offer(pair.Left, next[pair.Left]);
        }
        symbols.Clear();
        for (int i = 0; i < n; i = next[i])
        {
            symbols.Add(ids[i]);
        }
    }

    /// <summary>Higher priority first, then the leftmost position.</summary>
    private sealed class Earlier : IComparer<(double Priority, int Left)>
    {
        public static readonly Earlier Instance = new();

        public int Compare((double Priority, int Left) x, (double Priority, int Left) y)
        {
            int byPriority = y.Priority.CompareTo(x.Priority);
            return byPriority != 0 ? byPriority : x.Left.CompareTo(y.Left);
        }
    }
}
