using System.Text;
using ApiCache.Forwarding;
using ApiCache.Security;

namespace ApiCache.Tests.Security.Forwarding;

/// <summary>Extra keys in header names (client-go's percent-encoding) and the rewrite that turns marker names back into repeated header lines.</summary>
public sealed class IdentityHeadersTests
{
    [Theory]
    [InlineData("scopes", "scopes")]
    [InlineData("example.org/team", "example.org%2Fteam")]
    [InlineData("100%", "100%25")]
    [InlineData("a b:c", "a%20b%3Ac")]
    [InlineData("é", "%C3%A9")]
    [InlineData("!#$&'*+-.^_`|~", "!#$&'*+-.^_`|~")]
    public void EscapeExtraKey_Key_IsPercentEncodedAsClientGoDoes(string key, string expected)
    {
        Assert.Equal(expected, IdentityHeaders.EscapeExtraKey(key));
        Assert.Equal(key.ToLowerInvariant(), IdentityHeaders.UnescapeExtraKey(expected));
    }

    [Theory]
    [InlineData("Example.Org%2FTeam", "example.org/team")]
    [InlineData("bad%zzkey", "bad%zzkey")]
    [InlineData("trailing%2", "trailing%2")]
    public void UnescapeExtraKey_HeaderName_IsLowerCasedThenDecodedOrKept(string encoded, string expected) =>
        Assert.Equal(expected, IdentityHeaders.UnescapeExtraKey(encoded));

    [Fact]
    public void Rewrite_MarkerNames_BecomeTheRealNameAndTheRestIsUntouched()
    {
        // Arrange
        var prefix = RepeatedHeaders.MarkerPrefix;
        var head = "GET / HTTP/1.1\r\nImpersonate-Group: a\r\n" + prefix + "1-Impersonate-Group: b\r\n" + prefix + "12-X-Remote-Extra-k: v\r\n"
            + prefix + "x-Not-A-Marker: z\r\n\r\nbody " + prefix + "1-kept";
        var source = Encoding.ASCII.GetBytes(head);
        var destination = new byte[source.Length];

        // Act
        var length = RepeatedHeaderStream.Rewrite(source, destination);

        // Assert: only markers at a line start with an index are rewritten.
        Assert.Equal(
            "GET / HTTP/1.1\r\nImpersonate-Group: a\r\nImpersonate-Group: b\r\nX-Remote-Extra-k: v\r\n" + prefix + "x-Not-A-Marker: z\r\n\r\nbody " + prefix + "1-kept",
            Encoding.ASCII.GetString(destination, 0, length));
    }
}
