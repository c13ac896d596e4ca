// Every object reachable from a root through instance fields (private ones and those of base types included), found by
// reflection: lets a test show what an object keeps alive. Objects in `stopAt` are neither listed nor walked into.
using System.Reflection;

namespace FedSpine.Federated.Tests.Rounds;

internal static class ReachableObjects
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>The objects reachable from root (root included), each once; primitive arrays are listed, not walked.</summary>
    public static List<object> From(object root, params object[] stopAt)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stops = new HashSet<object>(stopAt, ReferenceEqualityComparer.Instance);
        var found = new List<object>();
        var pending = new Stack<object>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            object o = pending.Pop();
            if (stops.Contains(o) || !seen.Add(o) || o is string or Pointer or MemberInfo or ParameterInfo or Module or Assembly)
            {
                continue;
            }
            found.Add(o);
            foreach (object child in Children(o))
            {
                pending.Push(child);
            }
        }
        return found;
    }

    /// <summary>Float elements held in float arrays among the objects.</summary>
    public static long FloatCount(IEnumerable<object> objects) => objects.OfType<float[]>().Sum(a => (long)a.Length);

    private static IEnumerable<object> Children(object o)
    {
        if (o is Array array)
        {
            var element = array.GetType().GetElementType()!;
            if (element.IsPrimitive || element.IsEnum)
            {
                yield break;
            }
            foreach (object? item in array)
            {
                if (item is not null)
                {
                    yield return item;
                }
            }
            yield break;
        }
        for (var type = o.GetType(); type is not null; type = type.BaseType)
        {
            foreach (var field in type.GetFields(Instance))
            {
                if (field.FieldType.IsPrimitive || field.FieldType.IsEnum || field.FieldType.IsPointer || field.FieldType == typeof(IntPtr)
                    || field.FieldType.IsByRefLike)
                {
                    continue;
                }
                object? value = field.GetValue(o);
                if (value is not null)   // a struct comes boxed and is walked like an object
                {
                    yield return value;
                }
            }
        }
    }
}
