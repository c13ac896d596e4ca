// Argument checks shared by the kernels and their references: dimensions must be sane and every buffer long enough
// for the shape it is said to hold (longer is fine; only the leading elements are used).
namespace FedSpine.Tensors;

internal static class OpsArgs
{
    /// <summary>Throws unless value ≥ min.</summary>
    internal static void AtLeast(int value, int min, string name)
    {
        if (value < min)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} = {value} must be at least {min}");
        }
    }

    /// <summary>Throws unless a buffer of `length` elements holds `needed`.</summary>
    internal static void Holds(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} has {length} elements; the shape needs {needed}", name);
        }
    }
}
