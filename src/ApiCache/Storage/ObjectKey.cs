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
        // Most comparisons are within one namespace (interned, so usually the same instance).
        if (ReferenceEquals(Namespace, other.Namespace) || string.Equals(Namespace, other.Namespace, StringComparison.Ordinal))
        {
            return string.CompareOrdinal(Name, other.Name);
        }

        var common = Math.Min(Namespace.Length, other.Namespace.Length);
        var order = Namespace.AsSpan(0, common).SequenceCompareTo(other.Namespace.AsSpan(0, common));
        if (order != 0)
        {
            return order;
        }

        // One namespace is a prefix of the other: the shorter one's key continues with '/'.
        return Namespace.Length < other.Namespace.Length ? '/' - other.Namespace[common] : Namespace[common] - '/';
    }

    /// <summary>The key as the apiserver's continue tokens and etcd keys write it, relative to the collection: <c>namespace/name</c> or <c>name</c>.</summary>
    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "/" + Name;
}
