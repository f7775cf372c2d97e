namespace ApiCache.DevServer.Storage;

/// <summary>
/// Orders keys as etcd does: by the bytes of their UTF-8 encoding, which is Unicode code point order.
/// Plain UTF-16 ordinal order differs from it for characters U+E000..U+FFFF against surrogate pairs;
/// comparing code units with the surrogates moved above every other unit gives code point order
/// without encoding anything.
/// </summary>
internal sealed class StoreKeyComparer : IComparer<string>
{
    private StoreKeyComparer()
    {
    }

    /// <summary>The one instance.</summary>
    public static StoreKeyComparer Instance { get; } = new();

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var common = x.AsSpan().CommonPrefixLength(y);
        return common == x.Length || common == y.Length
            ? x.Length.CompareTo(y.Length)
            : Rank(x[common]).CompareTo(Rank(y[common]));
    }

    /// <summary>
    /// The least key after every key that starts with <paramref name="prefix"/> (the exclusive end
    /// of the prefix's range, like etcd's range end for a prefix), or null when no such key exists.
    /// The result is a bound to compare with; it may hold a lone surrogate.
    /// </summary>
    public static string? PrefixEnd(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            var rank = Rank(prefix[i]);
            if (rank < char.MaxValue)
            {
                return string.Concat(prefix.AsSpan(0, i), [Unrank(rank + 1)]);
            }
        }

        return null;
    }

    /// <summary>A code unit's place in code point order: surrogates (U+D800..U+DFFF) after every other unit.</summary>
    private static int Rank(char unit) => unit switch
    {
        < '\uD800' => unit,
        < '\uE000' => unit + 0x2000,
        _ => unit - 0x800,
    };

    /// <summary>The code unit at place <paramref name="rank"/>; the inverse of <see cref="Rank"/>.</summary>
    private static char Unrank(int rank) => (char)(rank switch
    {
        < 0xD800 => rank,
        < 0xF800 => rank + 0x800,
        _ => rank - 0x2000,
    });
}
