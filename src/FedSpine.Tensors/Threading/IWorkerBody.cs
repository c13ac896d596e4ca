// A loop body for WorkerPool.For that needs no delegate: a reusable object whose Invoke(i) runs iteration i.
// Invoke may run on any pool thread, concurrently with other indices of the same loop.
namespace FedSpine.Tensors;

public interface IWorkerBody
{
    /// <summary>Runs iteration <paramref name="index"/> of the loop.</summary>
    void Invoke(int index);
}
