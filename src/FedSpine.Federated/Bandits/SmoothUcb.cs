// S-UCB: a discounted HOO-style partition tree over the normalised box steps x rank bins. Select descends by larger B
// (ties by rng; a never-played cell borrows its parent's mean at count 1), plays a uniform point of the leaf or a fitting
// fallback; Update discounts all nodes by γ, credits the path to the played point's leaf and splits it (rank first on ties).
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class SmoothUcb : IBandit
{
    private readonly ArmSpace _space;
    private readonly BanditSettings _settings;
    private readonly ArmCoordinates _coordinates;
    private readonly IReadOnlyList<Arm> _grid;
    private List<Node> _nodes = [];
    private PendingPlay? _pending;

    public SmoothUcb(ArmSpace space, BanditSettings settings)
    {
        space.Validate();
        settings.Validate();
        _space = space;
        _settings = settings;
        _coordinates = new ArmCoordinates(space);
        _grid = space.Grid();
        _nodes.Add(new Node { X0 = 0, X1 = 1, Y0 = 0, Y1 = 1, Depth = 0 });
    }

    public string Name => "sucb";

    /// <summary>Number of nodes in the partition tree (for tests and logs).</summary>
    public int NodeCount => _nodes.Count;

    public Arm? Select(Rng rng, Func<Arm, bool> fits)
    {
        double[] b = BValues();
        int node = 0;
        while (!_nodes[node].IsLeaf)
        {
            int left = _nodes[node].Left, right = _nodes[node].Right;
            node = b[left] > b[right] ? left : b[right] > b[left] ? right : (rng.NextInt(2) == 0 ? left : right);
        }
        Node leaf = _nodes[node];
        double x = leaf.X0 + (leaf.X1 - leaf.X0) * rng.NextDouble();
        double y = leaf.Y0 + (leaf.Y1 - leaf.Y0) * rng.NextDouble();
        var sampled = new Arm(_coordinates.Step(x), _space.Ranks[_coordinates.RankIndex(y)]);
        Arm? chosen = fits(sampled) ? sampled : Fallback(sampled, fits);
        _pending = chosen is { } arm ? new PendingPlay(x, y, arm, arm != sampled) : null;
        return chosen;
    }

    public void Update(Arm played, double reward)
    {
        RewardGuard.Check(reward);
        foreach (Node n in _nodes)
        {
            n.N *= _settings.Discount;
            n.Sum *= _settings.Discount;
        }
        if (_pending is { } pending && pending.Played == played)
        {
            if (pending.Fallback)
            {
                // The sampled configuration did not fit: per the reward rule it earns 0 where it was sampled, and the
                // fallback arm actually played earns the reward at its own coordinates.
                Credit(pending.X, pending.Y, 0);
                Credit(_coordinates.X(played.PruneStep), _coordinates.Y(played.Rank), reward);
            }
            else
            {
                Credit(pending.X, pending.Y, reward);
            }
        }
        else
        {
            Credit(_coordinates.X(played.PruneStep), _coordinates.Y(played.Rank), reward);
        }
        _pending = null;
    }

    public string SaveState() => BanditJson.Save(new State(
        Name,
        [.. _nodes.Select(n => new NodeState(n.X0, n.X1, n.Y0, n.Y1, n.N, n.Sum, n.Depth, n.Left, n.Right))],
        _pending));

    public void LoadState(string json)
    {
        State state = BanditJson.Load<State>(json, Name);
        BanditJson.Expect(state.Kind == Name, Name, $"it was saved by \"{state.Kind}\"");
        BanditJson.Expect(state.Nodes is { Length: > 0 }, Name, "the tree has no root");
        var nodes = new List<Node>(state.Nodes.Length);
        for (int i = 0; i < state.Nodes.Length; i++)
        {
            NodeState s = state.Nodes[i];
            bool leaf = s.Left < 0 && s.Right < 0;
            BanditJson.Expect(leaf || (s.Left > i && s.Right > i && s.Left < state.Nodes.Length && s.Right < state.Nodes.Length),
                Name, "a child index is out of range");
            BanditJson.Expect(double.IsFinite(s.N) && s.N >= 0 && double.IsFinite(s.Sum), Name, "a node count or sum is invalid");
            nodes.Add(new Node
            {
                X0 = s.X0, X1 = s.X1, Y0 = s.Y0, Y1 = s.Y1, N = s.N, Sum = s.Sum, Depth = s.Depth, Left = s.Left, Right = s.Right,
            });
        }
        _nodes = nodes;
        _pending = state.Pending;
    }

    /// <summary>B-values of all nodes: leaves B = U, internal B = min(U, max(B of children)); children have larger indices.
    /// U = mean + c·sqrt(2 ln t / n) + ν·ρ^depth. A never-played cell takes its parent's mean with n = min(1, parent's n)
    /// rather than an infinite U: with the few plays a device gets (one per round), refining then costs one optimistic
    /// look at each new half instead of a forced play of every new cell (the root, never played, stays infinite).</summary>
    private double[] BValues()
    {
        double t = Math.Max(1.0, _nodes[0].N);
        double logT = Math.Log(t);
        var u = new double[_nodes.Count];
        u[0] = Upper(_nodes[0], _nodes[0], logT);
        for (int i = 0; i < _nodes.Count; i++)
        {
            Node n = _nodes[i];
            if (!n.IsLeaf)
            {
                u[n.Left] = Upper(_nodes[n.Left], n, logT);
                u[n.Right] = Upper(_nodes[n.Right], n, logT);
            }
        }
        var b = new double[_nodes.Count];
        for (int i = _nodes.Count - 1; i >= 0; i--)
        {
            Node n = _nodes[i];
            b[i] = n.IsLeaf ? u[i] : Math.Min(u[i], Math.Max(b[n.Left], b[n.Right]));
        }
        return b;
    }

    private double Upper(Node n, Node parent, double logT)
    {
        (double sum, double count) = n.N > 0 ? (n.Sum, n.N)
            : parent.N > 0 ? (parent.Sum / parent.N * Math.Min(1, parent.N), Math.Min(1, parent.N))
            : (0, 0);
        return count > 0
            ? sum / count + _settings.Exploration * Math.Sqrt(2 * logT / count) + _settings.Nu * Math.Pow(_settings.Rho, n.Depth)
            : double.PositiveInfinity;
    }

    /// <summary>Adds reward to every node on the path to the leaf holding (x, y), then splits that leaf.</summary>
    private void Credit(double x, double y, double reward)
    {
        int node = 0;
        while (true)
        {
            Node n = _nodes[node];
            n.N += 1;
            n.Sum += reward;
            if (n.IsLeaf)
            {
                break;
            }
            Node left = _nodes[n.Left];
            bool goLeft = left.X1 < n.X1 ? x < left.X1 : y < left.Y1;
            node = goLeft ? n.Left : n.Right;
        }
        Split(node);
    }

    /// <summary>Splits a leaf in two halves along its longest normalised side (a degenerate dimension has length 0); on a
    /// tie along the rank side, which changes a round's compute and bytes every round, where one round's step changes them once.</summary>
    private void Split(int index)
    {
        Node leaf = _nodes[index];
        if (leaf.Depth >= _settings.MaxDepth)
        {
            return;
        }
        double width = _coordinates.StepDegenerate ? 0 : leaf.X1 - leaf.X0;
        double height = _coordinates.RankDegenerate ? 0 : leaf.Y1 - leaf.Y0;
        if (width == 0 && height == 0)
        {
            return;
        }
        Node a, c;
        if (width > height)
        {
            double mid = 0.5 * (leaf.X0 + leaf.X1);
            a = new Node { X0 = leaf.X0, X1 = mid, Y0 = leaf.Y0, Y1 = leaf.Y1, Depth = leaf.Depth + 1 };
            c = new Node { X0 = mid, X1 = leaf.X1, Y0 = leaf.Y0, Y1 = leaf.Y1, Depth = leaf.Depth + 1 };
        }
        else
        {
            double mid = 0.5 * (leaf.Y0 + leaf.Y1);
            a = new Node { X0 = leaf.X0, X1 = leaf.X1, Y0 = leaf.Y0, Y1 = mid, Depth = leaf.Depth + 1 };
            c = new Node { X0 = leaf.X0, X1 = leaf.X1, Y0 = mid, Y1 = leaf.Y1, Depth = leaf.Depth + 1 };
        }
        leaf.Left = _nodes.Count;
        _nodes.Add(a);
        leaf.Right = _nodes.Count;
        _nodes.Add(c);
    }

    /// <summary>
    /// The arm played when the sampled one does not fit: lower ranks at the sampled step (descending), then larger grid
    /// steps at the lowest rank (ascending), then every other (step, rank) of the grid steps plus the sampled step, nearest
    /// step first (larger step on ties), larger rank first. Null when none fits.
    /// </summary>
    private Arm? Fallback(Arm sampled, Func<Arm, bool> fits)
    {
        IReadOnlyList<int> ranks = _space.Ranks;
        int rankIndex = IndexOfRank(sampled.Rank);
        for (int i = rankIndex - 1; i >= 0; i--)
        {
            var arm = new Arm(sampled.PruneStep, ranks[i]);
            if (fits(arm))
            {
                return arm;
            }
        }
        double[] gridSteps = [.. _grid.Select(a => a.PruneStep).Distinct()];
        foreach (double step in gridSteps.Where(s => s > sampled.PruneStep).Order())
        {
            var arm = new Arm(step, ranks[0]);
            if (fits(arm))
            {
                return arm;
            }
        }
        IEnumerable<double> allSteps = gridSteps.Append(sampled.PruneStep).Distinct()
            .OrderBy(s => Math.Abs(s - sampled.PruneStep)).ThenByDescending(s => s);
        foreach (double step in allSteps)
        {
            for (int i = ranks.Count - 1; i >= 0; i--)
            {
                var arm = new Arm(step, ranks[i]);
                bool tried = arm == sampled
                    || (step == sampled.PruneStep && i < rankIndex)
                    || (step > sampled.PruneStep && i == 0);
                if (!tried && fits(arm))
                {
                    return arm;
                }
            }
        }
        return null;
    }

    private int IndexOfRank(int rank)
    {
        for (int i = 0; i < _space.Ranks.Count; i++)
        {
            if (_space.Ranks[i] == rank)
            {
                return i;
            }
        }
        return _space.Ranks.Count - 1;
    }

    private sealed class Node
    {
        public double X0, X1, Y0, Y1, N, Sum;
        public int Depth;
        public int Left = -1, Right = -1;

        public bool IsLeaf => Left < 0;
    }

    private sealed record NodeState(double X0, double X1, double Y0, double Y1, double N, double Sum, int Depth, int Left, int Right);

    private sealed record PendingPlay(double X, double Y, Arm Played, bool Fallback);

    private sealed record State(string Kind, NodeState[] Nodes, PendingPlay? Pending);
}
