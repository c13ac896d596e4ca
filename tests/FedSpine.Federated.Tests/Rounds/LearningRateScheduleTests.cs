// The local learning rate sent with each round's tasks: constant by default; under "cosine" it falls from lr to min_lr
// along a half cosine (round r of R: min + ½(lr − min)(1 + cos(π r / R))), and what the tasks carry is exactly that.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Pruning;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class LearningRateScheduleTests
{
    private sealed class RecordingTransport : IDeviceTransport
    {
        public List<float> Rates { get; } = [];

        public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks)
        {
            Rates.AddRange(tasks.Select(t => t.LearningRate));
            return tasks.Select(t => (DeviceReport?)EngineFixtures.Report(t, seed: (ulong)t.DeviceId + 1)).ToList();
        }

        public void Dropped(int deviceId, int round, string reason) { }
    }

    [Fact]
    public void Cosine_goes_from_lr_down_to_min_lr_at_the_last_round()
    {
        var s = new ServerSettings { Rounds = 4, LearningRate = 1e-3f, LearningRateSchedule = "cosine", MinLearningRate = 1e-4f };
        // r / R = 1/4, 2/4, 3/4, 1: 1e-4 + 4.5e-4·(1 + cos(πr/4)).
        Assert.Equal(1e-4 + 4.5e-4 * (1 + Math.Sqrt(0.5)), s.LearningRateAt(1), 1e-9);
        Assert.Equal(5.5e-4, s.LearningRateAt(2), 1e-9);
        Assert.Equal(1e-4 + 4.5e-4 * (1 - Math.Sqrt(0.5)), s.LearningRateAt(3), 1e-9);
        Assert.Equal(1e-4, s.LearningRateAt(4), 1e-9);
        Assert.Equal(1e-3f, (s with { LearningRateSchedule = "constant" }).LearningRateAt(3));
    }

    [Fact]
    public void The_tasks_of_each_round_carry_the_scheduled_rate()
    {
        var space = new ArmSpace(0, 0.1, [2, 4], 2);
        var slots = Enumerable.Range(0, 2).Select(i => new DeviceSlot(i, "test", long.MaxValue,
            BanditFactory.Create("fixed", space, new BanditSettings { FixedArm = new Arm(0, 2) }), PruningMask.Full(EngineFixtures.Shapes))).ToList();
        var settings = new ServerSettings { Rounds = 3, LocalSteps = 2, LearningRate = 2e-3f, LearningRateSchedule = "cosine", MinLearningRate = 2e-4f };
        var server = new FederatedServer(settings, new LocalTrainingSettings(), EngineFixtures.Global(), slots, Aggregators.Create("scatter"), "test");
        var transport = new RecordingTransport();
        for (int round = 1; round <= 3; round++)
        {
            server.RunRound(transport);
        }
        float[] expected = [settings.LearningRateAt(1), settings.LearningRateAt(1), settings.LearningRateAt(2), settings.LearningRateAt(2), 2e-4f, 2e-4f];
        Assert.Equal(expected, transport.Rates);
        Assert.True(transport.Rates[0] > transport.Rates[2] && transport.Rates[2] > transport.Rates[4]);
    }

    [Fact]
    public void A_run_config_names_a_bad_schedule_or_floor()
    {
        var e = Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(new RunConfig { LearningRateSchedule = "step" }));
        Assert.Contains("lr_schedule", e.Message);
        e = Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(new RunConfig { LearningRate = 1e-3f, MinLearningRate = 2e-3f }));
        Assert.Contains("min_lr", e.Message);
    }
}
