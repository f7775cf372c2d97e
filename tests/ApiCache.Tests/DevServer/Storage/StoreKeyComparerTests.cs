using System.Text;
using ApiCache.DevServer.Storage;

namespace ApiCache.Tests.DevServer.Storage;

/// <summary>Keys order as etcd orders them (UTF-8 bytes), and prefix ranges end where they should.</summary>
public sealed class StoreKeyComparerTests
{
    private static readonly string[] Keys =
    [
        "", "a", "a/", "a/b", "a0", "a\uD7FF", "a\uE000", "a\uFFFF", "a\uFFFFz", "a\U0001F600", "a\U0010FFFF", "a\U0010FFFFx", "b", "\uFFFF", "\U0001F600",
    ];

    [Fact]
    public void Compare_AnyTwoKeys_AgreesWithUtf8ByteOrder()
    {
        foreach (var x in Keys)
        {
            foreach (var y in Keys)
            {
                var expected = Math.Sign(Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
                Assert.Equal(expected, Math.Sign(StoreKeyComparer.Instance.Compare(x, y)));
            }
        }
    }

    [Fact]
    public void PrefixEnd_Prefix_IsNextKeyAfterTheRange()
    {
        Assert.Equal("/registry/pods0", StoreKeyComparer.PrefixEnd("/registry/pods/"));
        Assert.Equal("a\uD800", StoreKeyComparer.PrefixEnd("a\uFFFF"));
        Assert.Equal("a\uDC00", StoreKeyComparer.PrefixEnd("a\uDBFF\uDFFF"));
    }

    [Fact]
    public void PrefixEnd_EmptyPrefix_IsUnbounded() => Assert.Null(StoreKeyComparer.PrefixEnd(""));

    [Fact]
    public void PrefixEnd_AnyPrefix_BoundsExactlyTheKeysStartingWithIt()
    {
        var comparer = StoreKeyComparer.Instance;
        foreach (var prefix in Keys)
        {
            var end = StoreKeyComparer.PrefixEnd(prefix);
            foreach (var key in Keys)
            {
                var inRange = comparer.Compare(key, prefix) >= 0 && (end is null || comparer.Compare(key, end) < 0);
                Assert.True(key.StartsWith(prefix, StringComparison.Ordinal) == inRange, $"prefix {prefix} key {key}");
            }
        }
    }
}
