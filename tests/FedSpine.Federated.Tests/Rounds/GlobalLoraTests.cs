// The server's LoRA bookkeeping: a device's slice applies exactly the global ΔW (truncated to its rank) on its kept
// rows/columns whatever its alpha; a slice taken back as an update lands where it came from; the update norm is ||ΔW||_F.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Rounds;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class GlobalLoraTests
{
    [Theory]
    [InlineData(1, 3f)]
    [InlineData(2, 4f)]
    [InlineData(4, 16f)]
    public void Slice_applies_the_truncated_global_update_on_kept_coordinates(int rank, float alpha)
    {
        var global = EngineFixtures.Global(rank: 4);
        var mask = EngineFixtures.PrunedMask();
        foreach (var f in global.SliceFor(mask, rank, alpha))
        {
            var m = global.Modules[(f.Layer, f.Target)];
            var (rows, cols) = ModuleCoordinates.Kept(f.Target, mask.Layers[f.Layer], EngineFixtures.Config);
            for (int r = 0; r < rows.Length; r++)
            {
                for (int c = 0; c < cols.Length; c++)
                {
                    double device = 0, expected = 0;
                    for (int j = 0; j < rank; j++)
                    {
                        device += (double)f.B[r * rank + j] * f.A[j * cols.Length + c];
                        expected += (double)m.B[rows[r] * m.Rank + j] * m.A[j * m.In + cols[c]];
                    }
                    Assert.Equal(expected, alpha / rank * device, 1e-5);
                }
            }
        }
    }

    [Fact]
    public void Pruned_query_rows_and_output_columns_follow_the_kept_heads()
    {
        var mask = EngineFixtures.PrunedMask();
        var (qRows, qCols) = ModuleCoordinates.Kept(Model.Lora.LoraTarget.Q, mask.Layers[0], EngineFixtures.Config);
        Assert.Equal(Enumerable.Range(0, 16), qRows);           // heads 0 and 1, head_dim 8
        Assert.Equal(32, qCols.Length);
        var (kRows, _) = ModuleCoordinates.Kept(Model.Lora.LoraTarget.K, mask.Layers[0], EngineFixtures.Config);
        Assert.Equal(Enumerable.Range(0, 8), kRows);            // KV head 0 only
        var (oRows, oCols) = ModuleCoordinates.Kept(Model.Lora.LoraTarget.O, mask.Layers[0], EngineFixtures.Config);
        Assert.Equal(32, oRows.Length);
        Assert.Equal(Enumerable.Range(0, 16), oCols);
        var (_, downCols) = ModuleCoordinates.Kept(Model.Lora.LoraTarget.Down, mask.Layers[0], EngineFixtures.Config);
        Assert.Equal(mask.Layers[0].Channels, downCols);
    }

    [Fact]
    public void One_device_at_the_global_rank_aggregated_with_scatter_returns_its_own_factors()
    {
        var global = EngineFixtures.Global(rank: 4);
        var full = Pruning.PruningMask.Full(EngineFixtures.Shapes);
        var task = EngineFixtures.Task(global, full, rank: 4);
        var report = EngineFixtures.Report(task);
        global.Aggregate([(report, task.Alpha)], Aggregators.Create("scatter"));
        foreach (var f in report.Factors)
        {
            var m = global.Modules[(f.Layer, f.Target)];
            Assert.Equal(f.A, m.A);
            float scale = task.Alpha / 4;
            for (int i = 0; i < f.B.Length; i++)
            {
                Assert.Equal(scale * f.B[i], m.B[i], 1e-6f);
            }
        }
    }

    [Fact]
    public void Update_norm_is_the_frobenius_norm_of_the_scaled_product()
    {
        var global = EngineFixtures.Global(rank: 4);
        var f = EngineFixtures.Report(EngineFixtures.Task(global, EngineFixtures.PrunedMask(), rank: 3)).Factors[5];
        double sum = 0;
        for (int o = 0; o < f.Out; o++)
        {
            for (int c = 0; c < f.In; c++)
            {
                double v = 0;
                for (int j = 0; j < f.Rank; j++)
                {
                    v += (double)f.B[o * f.Rank + j] * f.A[j * f.In + c];
                }
                sum += v * v;
            }
        }
        Assert.Equal(Math.Sqrt(sum) * 6.0 / 3, GlobalLora.UpdateNorm(f, 6f), 1e-6);
    }
}
