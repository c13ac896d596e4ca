// An aggregation strategy: folds the devices' updates of one module into the global module, in place. Updates are
// already validated (finite, shapes consistent, indices in range); an empty list leaves the module unchanged.
namespace FedSpine.Federated.Aggregation;

public interface ILoraAggregator
{
    /// <summary>Name as selected in run configs: "scatter", "hetlora", "flexlora", "factor-svd", "fedavg".</summary>
    string Name { get; }

    void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates);
}
