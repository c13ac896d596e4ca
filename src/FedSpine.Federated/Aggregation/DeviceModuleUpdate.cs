// One device's LoRA update of one module, in the device's pruned coordinates and rank, with the kept rows/columns that
// place it in the unpruned module: the device applies ΔW_i = Scale·B·A on its kept rows × kept columns.
namespace FedSpine.Federated.Aggregation;

/// <param name="A">[Rank, KeptColumns.Length] row-major.</param>
/// <param name="B">[KeptRows.Length, Rank] row-major.</param>
/// <param name="Scale">α/r the device applied (ΔW_i = Scale·B·A).</param>
/// <param name="KeptRows">Indices into the unpruned module's output dimension, ascending.</param>
/// <param name="KeptColumns">Indices into the unpruned module's input dimension, ascending.</param>
/// <param name="Weight">The device's aggregation weight before normalisation (its training sample count).</param>
public sealed record DeviceModuleUpdate(float[] A, float[] B, int Rank, float Scale, int[] KeptRows, int[] KeptColumns, double Weight);
