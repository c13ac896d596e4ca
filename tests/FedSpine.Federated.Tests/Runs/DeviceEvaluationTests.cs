// The per-round evaluation scores a model once for devices that deploy the same one (same kept units, same rank): its
// accuracies must equal scoring every device's own merged model, for dense methods (many twins) and pruning ones.
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Model;

namespace FedSpine.Federated.Tests.Runs;

public sealed class DeviceEvaluationTests
{
    [Theory]
    [InlineData("fedit")]
    [InlineData("hetlora")]
    [InlineData("uniform-prune")]
    public void Shared_evaluation_equals_evaluating_each_device(string method)
    {
        var config = TinyRuns.Spam(method) with { Devices = "2 tx2,2 nx,1 agx", Rounds = 2 };
        var loaded = ModelLoader.Load(config.Model, config.Tokenizer, requireTokenizer: true);
        var plan = RunPlan.From(config);
        var profiles = plan.Profiles;
        var data = FederatedData.Create(config, loaded.Tokenizer!, profiles.Count);
        var run = new MethodRun(plan, MethodCatalog.Get(method, config), loaded.Weights, loaded.Tokenizer!, data,
            TinyRuns.TempFolder($"eval-{method}"));
        var transport = new InProcessTransport(run.Devices.Select(d => new SimulatedDevice(d, profiles[d.Id], config.Seed)));
        Assert.NotNull(run.Run(transport));

        var test = data.GlobalTest;
        double[] shared = FinalEvaluation.Accuracies(run.Server, run.Devices, test, run.Local);
        double[] each = run.Devices.Select(d =>
        {
            var (model, head) = FinalEvaluation.DeviceModel(run.Server, d, run.Local);
            return FinalEvaluation.Accuracy(model, head, test, run.Local);
        }).ToArray();
        Assert.Equal(each, shared);
        if (method == "uniform-prune")
        {
            Assert.True(run.Devices.Select(d => d.Mask).Distinct().Count() > 1, "the pruned devices should keep different units");
        }
    }
}
