namespace ApiCache.DevServer.Etcd;

/// <summary>
/// <c>Compare</c>: one condition of a transaction. <see cref="Target"/> names the field compared
/// (<c>CREATE</c>, <c>MOD</c>, <c>VERSION</c>), <see cref="Result"/> the relation (<c>EQUAL</c>,
/// <c>GREATER</c>, <c>LESS</c>, <c>NOT_EQUAL</c>). A missing key has create and mod revision 0.
/// </summary>
internal sealed record EtcdCompare
{
    /// <summary>The key compared.</summary>
    public required byte[] Key { get; init; }

    /// <summary>The field compared, as the enum name.</summary>
    public required string Target { get; init; }

    /// <summary>The relation, as the enum name.</summary>
    public required string Result { get; init; }

    /// <summary>The create revision to compare with (target CREATE).</summary>
    public long? CreateRevision { get; init; }

    /// <summary>The mod revision to compare with (target MOD).</summary>
    public long? ModRevision { get; init; }

    /// <summary>Key's create revision equals <paramref name="revision"/> (0: the key does not exist).</summary>
    public static EtcdCompare CreateRevisionEquals(byte[] key, long revision) =>
        new() { Key = key, Target = "CREATE", Result = "EQUAL", CreateRevision = revision };

    /// <summary>Key's create revision is greater than <paramref name="revision"/> (with 0: the key exists).</summary>
    public static EtcdCompare CreateRevisionGreater(byte[] key, long revision) =>
        new() { Key = key, Target = "CREATE", Result = "GREATER", CreateRevision = revision };

    /// <summary>Key's mod revision equals <paramref name="revision"/>.</summary>
    public static EtcdCompare ModRevisionEquals(byte[] key, long revision) =>
        new() { Key = key, Target = "MOD", Result = "EQUAL", ModRevision = revision };
}
