// Server momentum (FedAvgM): after two rounds of known aggregated changes the global state is w0 + Δ2 + β·Δ1... exactly as
// v ← β·v + Δ, w ← w_before + v says; coordinates the aggregation left untouched keep their value and velocity.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Tests.Rounds;

namespace FedSpine.Federated.Tests.Aggregation;

public sealed class ServerMomentumTests
{
    [Fact]
    public void Two_rounds_follow_the_velocity_recurrence()
    {
        var global = EngineFixtures.Global(rank: 2);
        var momentum = new ServerMomentum(0.5, global);
        var w0 = new GlobalSnapshot(global).Values;

        // Round 1: the aggregation adds 1 to every coordinate → v = 1, w = w0 + 1.
        var before1 = new GlobalSnapshot(global);
        AddToEvery(global, 1f);
        momentum.Apply(global, before1);
        // Round 2: the aggregation adds 2 → v = 0.5·1 + 2 = 2.5, w = (w0 + 1) + 2.5.
        var before2 = new GlobalSnapshot(global);
        AddToEvery(global, 2f);
        momentum.Apply(global, before2);

        var now = global.NamedTensors();
        for (int t = 0; t < now.Count; t++)
        {
            for (int i = 0; i < now[t].Values.Length; i++)
            {
                Assert.Equal(w0[t][i] + 3.5, now[t].Values[i], 1e-5);
                Assert.Equal(2.5, momentum.Velocity[t].Values[i], 1e-5);
            }
        }
    }

    [Fact]
    public void Untouched_coordinates_keep_value_and_velocity()
    {
        var global = EngineFixtures.Global(rank: 2);
        var momentum = new ServerMomentum(0.9, global);
        var before = new GlobalSnapshot(global);
        AddToEvery(global, 1f);
        momentum.Apply(global, before);

        // Round 2 changes only the head bias; every LoRA coordinate is left bit-identical by "aggregation".
        var frozen = new GlobalSnapshot(global);
        var velocityBefore = momentum.Velocity.Select(v => (float[])v.Values.Clone()).ToArray();
        global.HeadBias[0] += 0.25f;
        momentum.Apply(global, frozen);

        var now = global.NamedTensors();
        for (int t = 0; t < now.Count; t++)
        {
            bool isBias = now[t].Name == "head.bias";
            for (int i = 0; i < now[t].Values.Length; i++)
            {
                if (isBias && i == 0)
                {
                    Assert.Equal(frozen.Values[t][i] + 0.9 * velocityBefore[t][i] + 0.25, now[t].Values[i], 1e-5);
                    Assert.Equal(0.9 * velocityBefore[t][i] + 0.25, momentum.Velocity[t].Values[i], 1e-5);
                    continue;
                }
                Assert.Equal(frozen.Values[t][i], now[t].Values[i]);   // bit-identical: not touched at all
                Assert.Equal(velocityBefore[t][i], momentum.Velocity[t].Values[i]);
            }
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void Beta_outside_the_open_unit_interval_is_refused(double beta)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ServerMomentum(beta, EngineFixtures.Global()));
        Assert.Contains("server_momentum", e.Message);
    }

    private static void AddToEvery(GlobalLora global, float delta)
    {
        foreach (var (_, values) in global.NamedTensors())
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += delta;
            }
        }
    }
}
