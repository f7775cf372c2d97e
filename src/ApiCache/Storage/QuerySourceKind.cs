namespace ApiCache.Storage;

/// <summary>Where a <see cref="QueryPlan"/> takes its candidate objects from (all in key order).</summary>
internal enum QuerySourceKind
{
    /// <summary>One key: <c>metadata.name=x</c> with a namespace (or in a cluster-scoped store).</summary>
    PointLookup,

    /// <summary><c>metadata.name=x</c> without a namespace: one point lookup per namespace that has objects.</summary>
    NameLookups,

    /// <summary>The set of one value of an indexed field (<c>spec.nodeName=x</c>).</summary>
    FieldIndex,

    /// <summary>The sets of a label requirement: one value (<c>=</c>), several (<c>in</c>) or every value of the key (exists, <c>&gt;</c>, <c>&lt;</c>), merged in key order.</summary>
    LabelIndex,

    /// <summary>The namespace's contiguous range of the primary order.</summary>
    NamespaceRange,

    /// <summary>Every object.</summary>
    FullScan,
}
