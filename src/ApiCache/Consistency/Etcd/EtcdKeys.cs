namespace ApiCache.Consistency.Etcd;

/// <summary>etcd's key range conventions, as its clients spell them.</summary>
internal static class EtcdKeys
{
    /// <summary>As a key, the smallest key; as a range end, "no end". Both together: the whole keyspace.</summary>
    public static ReadOnlySpan<byte> Zero => [0];

    /// <summary>
    /// The range end that selects every key starting with <paramref name="prefix"/>: the prefix with
    /// its last byte below 0xff incremented and the bytes after it dropped; <c>"\0"</c> (no end) when
    /// there is no such byte.
    /// </summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return [0];
    }
}
