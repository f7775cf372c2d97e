using System.Text;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Decoding;

/// <summary><see cref="StringInterner"/>: one instance per value, bounded, no allocation on a hit, safe to share.</summary>
public sealed class StringInternerTests
{
    [Fact]
    public void Intern_SameValueTwice_ReturnsTheSameInstance()
    {
        var interner = new StringInterner();
        var first = interner.Intern("team-a"u8);
        var second = interner.Intern(Encoding.UTF8.GetBytes("team-a"));
        Assert.Equal("team-a", first);
        Assert.Same(first, second);
        Assert.Same(first, interner.Intern("team-a".AsSpan()));
        Assert.Same(first, interner.Intern(new string("team-a".AsSpan())));
        Assert.Equal(1, interner.Count);
    }

    [Fact]
    public void Intern_StringFirst_KeepsThatInstance()
    {
        var interner = new StringInterner();
        var value = new string("node-1".AsSpan());
        Assert.Same(value, interner.Intern(value));
        Assert.Same(value, interner.Intern("node-1"u8));
    }

    [Fact]
    public void Intern_DifferentValues_DifferentInstances()
    {
        var interner = new StringInterner();
        Assert.Equal("a", interner.Intern("a"u8));
        Assert.Equal("A", interner.Intern("A"u8));
        Assert.Equal("é", interner.Intern("é"u8));
        Assert.Equal(3, interner.Count);
    }

    [Fact]
    public void Intern_Empty_ReturnsEmptyWithoutAnEntry()
    {
        var interner = new StringInterner();
        Assert.Same("", interner.Intern(ReadOnlySpan<byte>.Empty));
        Assert.Same("", interner.Intern(ReadOnlySpan<char>.Empty));
        Assert.Same("", interner.Intern(""));
        Assert.Equal(0, interner.Count);
    }

    [Fact]
    public void Intern_LongAndMultibyteValues_RoundTrip()
    {
        var interner = new StringInterner();
        var value = string.Concat(Enumerable.Repeat("日本😀x", 200));
        var utf8 = Encoding.UTF8.GetBytes(value);
        Assert.True(utf8.Length > 256);
        var interned = interner.Intern(utf8);
        Assert.Equal(value, interned);
        Assert.Same(interned, interner.Intern(utf8));
    }

    [Fact]
    public void Intern_InvalidUtf8_DecodesAsTheUtf8EncodingDoes()
    {
        var interner = new StringInterner();
        byte[] bytes = [(byte)'a', 0xFF, (byte)'b'];
        Assert.Equal(Encoding.UTF8.GetString(bytes), interner.Intern(bytes));
        Assert.Equal("a\uFFFDb", interner.Intern(bytes));
    }

    [Fact]
    public void Intern_PastMaxEntries_ReturnsEqualStringsWithoutAddingThem()
    {
        var interner = new StringInterner(maxEntries: 2);
        var a = interner.Intern("a"u8);
        var b = interner.Intern("b"u8);
        var c1 = interner.Intern("c"u8);
        var c2 = interner.Intern("c"u8);
        Assert.Equal(2, interner.MaxEntries);
        Assert.Equal(2, interner.Count);
        Assert.Equal("c", c1);
        Assert.Equal("c", c2);
        Assert.NotSame(c1, c2);
        Assert.Same(a, interner.Intern("a"u8));
        Assert.Same(b, interner.Intern("b".AsSpan()));
        var d = new string("d".AsSpan());
        Assert.Same(d, interner.Intern(d));
        Assert.Equal(2, interner.Count);
    }

    [Fact]
    public void Intern_MaxEntriesZero_InternsNothing()
    {
        var interner = new StringInterner(maxEntries: 0);
        Assert.NotSame(interner.Intern("x"u8), interner.Intern("x"u8));
        Assert.Equal(0, interner.Count);
    }

    [Fact]
    public void Constructor_NegativeMaxEntries_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StringInterner(-1));
    }

    [Fact]
    public void Intern_ValuePresent_AllocatesNothing()
    {
        var interner = new StringInterner();
        var shortValue = "topology.kubernetes.io/zone"u8.ToArray();
        var longValue = Encoding.UTF8.GetBytes(new string('z', 1000));
        interner.Intern(shortValue);
        interner.Intern(longValue);

        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                interner.Intern(shortValue);
                interner.Intern(longValue);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task Intern_ConcurrentCallers_GetOneInstancePerValue()
    {
        var interner = new StringInterner();
        var values = Enumerable.Range(0, 500).Select(static i => Encoding.UTF8.GetBytes($"value-{i % 100}")).ToArray();
        var workers = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => values.Select(v => interner.Intern(v)).ToArray()))
            .ToArray();
        var results = await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(100, interner.Count);
        var canonical = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in results.SelectMany(static r => r))
        {
            Assert.Same(canonical.TryAdd(value, value) ? value : canonical[value], value);
        }
    }
}
