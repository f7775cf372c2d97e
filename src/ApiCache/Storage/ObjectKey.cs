namespace ApiCache.Storage;

/// <summary>
/// Identifies one cached object within its resource: namespace (empty for cluster-scoped objects)
/// and name. Ordered as the apiserver orders a collection: ordinally by <c>namespace/name</c>
/// (cluster-scoped: by name), which is the order of the objects' etcd keys.
/// </summary>
internal readonly record struct ObjectKey(string Namespace, string Name) : IComparable<ObjectKey>
{
    /// <summary>
    /// Ordinal comparison of <c>namespace + "/" + name</c> without building the strings. Note that this
    /// is not "namespace first": <c>a-b/x</c> sorts before <c>a/x</c> because '-' &lt; '/'.
    /// </summary>
    public int CompareTo(ObjectKey other)
    {
        if (Namespace.Length == 0 && other.Namespace.Length == 0)
        {
            return string.CompareOrdinal(Name, other.Name);
        }

        var i = 0;
        var leftLength = Namespace.Length + 1 + Name.Length;
        var rightLength = other.Namespace.Length + 1 + other.Name.Length;
        var common = Math.Min(leftLength, rightLength);
        for (; i < common; i++)
        {
            var a = CharAt(Namespace, Name, i);
            var b = CharAt(other.Namespace, other.Name, i);
            if (a != b)
            {
                return a - b;
            }
        }

        return leftLength - rightLength;
    }

    /// <summary>The key as the apiserver's continue tokens and etcd keys write it, relative to the collection: <c>namespace/name</c> or <c>name</c>.</summary>
    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "/" + Name;

    private static char CharAt(string ns, string name, int index) =>
        index < ns.Length ? ns[index] : index == ns.Length ? '/' : name[index - ns.Length - 1];
}
