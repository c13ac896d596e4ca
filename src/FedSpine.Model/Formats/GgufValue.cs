// One GGUF metadata value: a typed scalar (the 13 GGUF value types) or a typed array of them (arrays may nest).
// Scalars hold the matching .NET primitive; arrays hold a typed .NET array (uint[], float[], string[], GgufValue[] …).
namespace FedSpine.Model.Formats;

/// <summary>GGUF metadata value types with their numbers in the file (gguf_type in ggml).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value, GgufValueType elementType = GgufValueType.Array)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type of an array (meaningless for scalars).</summary>
    public GgufValueType ElementType { get; }

    /// <summary>The primitive (scalars) or typed .NET array (arrays; nested arrays as GgufValue[]).</summary>
    public object Value { get; }

    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue String(string value) => new(GgufValueType.String, value);
    public static GgufValue UInt32Array(uint[] values) => new(GgufValueType.Array, values, GgufValueType.UInt32);
    public static GgufValue Int32Array(int[] values) => new(GgufValueType.Array, values, GgufValueType.Int32);
    public static GgufValue Float32Array(float[] values) => new(GgufValueType.Array, values, GgufValueType.Float32);
    public static GgufValue StringArray(string[] values) => new(GgufValueType.Array, values, GgufValueType.String);

    /// <summary>A scalar read from a file; <paramref name="value"/> must be the primitive matching <paramref name="type"/>.</summary>
    internal static GgufValue Scalar(GgufValueType type, object value) => new(type, value);

    /// <summary>An array read from a file; <paramref name="items"/> must be the typed .NET array matching <paramref name="elementType"/>.</summary>
    internal static GgufValue ArrayOf(GgufValueType elementType, Array items) => new(GgufValueType.Array, items, elementType);

    /// <summary>Any integer scalar as long (GGUF writers use uint32 or int32 for counts), or null when not an integer.</summary>
    public long? AsInteger() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        ulong v => v <= long.MaxValue ? (long)v : null,
        long v => v,
        _ => null,
    };

    /// <summary>A float32 or float64 scalar as double, or null.</summary>
    public double? AsFloat() => Value switch
    {
        float v => v,
        double v => v,
        _ => null,
    };

    public string? AsString() => Value as string;

    /// <summary>An array of integers (any integer element type) as longs, or null when this is not one.</summary>
    public long[]? AsIntegerArray()
    {
        if (Type != GgufValueType.Array || Value is not Array items || ElementType is GgufValueType.Float32 or GgufValueType.Float64
            or GgufValueType.Bool or GgufValueType.String or GgufValueType.Array)
        {
            return null;
        }
        var result = new long[items.Length];
        for (int i = 0; i < result.Length; i++)
        {
            long? v = Scalar(ElementType, items.GetValue(i)!).AsInteger();
            if (v is null)
            {
                return null;
            }
            result[i] = v.Value;
        }
        return result;
    }

    public override string ToString() => Type == GgufValueType.Array
        ? $"{ElementType}[{((Array)Value).Length}]"
        : $"{Type} {Value}";
}
