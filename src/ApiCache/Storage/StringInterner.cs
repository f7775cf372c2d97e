using System.Buffers;
using System.Text;

namespace ApiCache.Storage;

/// <summary>
/// A bounded table of shared string instances for the values that repeat across cached objects
/// (namespaces, label keys and values, field values such as node names and phases), so a million
/// objects hold a few thousand strings instead of millions of copies. Looking a value up from its
/// UTF-8 bytes allocates nothing when it is already present: the bytes are transcoded into a stack
/// or pooled buffer and found through the set's <see cref="ReadOnlySpan{T}"/> alternate lookup.
/// </summary>
/// <remarks>
/// The table only grows (entries are never evicted, so an interned string lives as long as the
/// table); once it holds <see cref="MaxEntries"/> strings, new values are returned as fresh,
/// un-interned strings. Unique values (names, uids) should not be interned. Thread-safe: decoders
/// of several resources may share one instance.
/// </remarks>
internal sealed class StringInterner
{
    /// <summary>The default bound: about a million distinct strings.</summary>
    public const int DefaultMaxEntries = 1 << 20;

    /// <summary>Values up to this many UTF-8 bytes are transcoded on the stack, longer ones in a pooled buffer.</summary>
    private const int StackBufferChars = 256;

    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Lock _lock = new();

    /// <summary>Creates an empty table that interns at most <paramref name="maxEntries"/> strings.</summary>
    public StringInterner(int maxEntries = DefaultMaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxEntries);
        MaxEntries = maxEntries;
        _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The most strings the table holds.</summary>
    public int MaxEntries { get; }

    /// <summary>How many strings the table holds now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _strings.Count;
            }
        }
    }

    /// <summary>
    /// The shared instance equal to <paramref name="utf8"/> decoded (invalid sequences become U+FFFD,
    /// as <see cref="Encoding.UTF8"/> decodes them); a new string when the value is absent and the
    /// table is full.
    /// </summary>
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        // UTF-8 never needs more UTF-16 code units than bytes.
        char[]? rented = null;
        var buffer = utf8.Length <= StackBufferChars
            ? stackalloc char[StackBufferChars]
            : (rented = ArrayPool<char>.Shared.Rent(utf8.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, buffer);
            return Intern(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The shared instance equal to <paramref name="value"/>; a new string when it is absent and the table is full.</summary>
    public string Intern(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return "";
        }

        lock (_lock)
        {
            if (_lookup.TryGetValue(value, out var existing))
            {
                return existing;
            }

            var created = new string(value);
            if (_strings.Count < MaxEntries)
            {
                _strings.Add(created);
            }

            return created;
        }
    }

    /// <summary>The shared instance equal to <paramref name="value"/>, adding <paramref name="value"/> itself when absent and there is room.</summary>
    public string Intern(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "";
        }

        lock (_lock)
        {
            if (_strings.TryGetValue(value, out var existing))
            {
                return existing;
            }

            if (_strings.Count < MaxEntries)
            {
                _strings.Add(value);
            }

            return value;
        }
    }
}
