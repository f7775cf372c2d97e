using System.Buffers;
using System.Text;
using ApiCache.Serving;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Serving;

/// <summary>
/// <see cref="JsonIndenter"/> is Go's <c>json.Indent(dst, src, "", "  ")</c>: every indented body the
/// apiserver sent (shared/fixtures), compacted byte for byte (whitespace outside strings removed, all
/// else kept), indents back to exactly the recorded bytes, whole or fed in arbitrary pieces.
/// </summary>
public sealed class JsonIndenterTests
{
    /// <summary>Every fixture whose body is indented JSON (curl's User-Agent, ?pretty=true, and the bodies the apiserver always indents).</summary>
    public static TheoryData<string> IndentedFixtures =>
    [
        "02-get-pod-curl-ua-pretty-printed",
        "02-list-configmaps-pretty-query-param",
        "01-discovery-version",
        "01-discovery-version-curl-ua-pretty",
        "04-err-406-not-acceptable",
        "04-err-429-first-crd-request-after-apiserver-restart-storage-reinitializing",
        "07-err-406-table-wrong-version",
    ];

    [Theory]
    [MemberData(nameof(IndentedFixtures))]
    public void Write_CompactedFixtureBody_IndentsBackToTheRecordedBytes(string fixture)
    {
        var recorded = FixtureUpstream.FixtureBody(fixture);
        var compact = Compact(recorded);
        Assert.True(compact.Length < recorded.Length, "the fixture body is not indented");

        var indented = Indent([compact]);

        AssertSameBytes(recorded, indented);
    }

    [Theory]
    [MemberData(nameof(IndentedFixtures))]
    public void Write_CompactedFixtureBodyInRandomPieces_IndentsBackToTheRecordedBytes(string fixture)
    {
        var recorded = FixtureUpstream.FixtureBody(fixture);
        var compact = Compact(recorded);
        var random = new Random(fixture.Length);
        for (var round = 0; round < 20; round++)
        {
            var pieces = new List<byte[]>();
            for (var at = 0; at < compact.Length;)
            {
                var length = Math.Min(compact.Length - at, random.Next(0, 40));
                pieces.Add(compact[at..(at + length)]);
                at += length;
            }

            AssertSameBytes(recorded, Indent(pieces));
        }
    }

    [Theory]
    [InlineData("{}", "{}")]
    [InlineData("[]", "[]")]
    [InlineData("{\"a\":[],\"b\":{},\"c\":null}", "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": null\n}")]
    [InlineData("[1,true,false,null,-2.5e3]", "[\n  1,\n  true,\n  false,\n  null,\n  -2.5e3\n]")]
    [InlineData("{\"a\":[{\"b\":[[]]}]}", "{\n  \"a\": [\n    {\n      \"b\": [\n        []\n      ]\n    }\n  ]\n}")]
    [InlineData("\"x\"", "\"x\"")]
    [InlineData("42", "42")]
    public void Write_Structures_IndentsAsGoJsonIndent(string compact, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(Indent([Encoding.UTF8.GetBytes(compact)])));
    }

    [Fact]
    public void Write_StringsWithStructuralCharactersAndEscapes_KeepsThemByteForByte()
    {
        const string Compact = "{\"k{[,:]}\":\"v \\\"{,:}[]\\\\\",\"e\":\"\\u003c\\u0026\\u003e \\n \\t \\u2028 é ☃\",\"q\":\"\\\\\"}";

        var indented = Encoding.UTF8.GetString(Indent([Encoding.UTF8.GetBytes(Compact)]));

        Assert.Equal(
            "{\n  \"k{[,:]}\": \"v \\\"{,:}[]\\\\\",\n  \"e\": \"\\u003c\\u0026\\u003e \\n \\t \\u2028 é ☃\",\n  \"q\": \"\\\\\"\n}",
            indented);
    }

    [Fact]
    public void Write_WhitespaceBetweenTokens_IsDropped()
    {
        Assert.Equal("{\n  \"a\": [\n    1\n  ]\n}", Encoding.UTF8.GetString(Indent([" { \"a\" :\t[ 1 ]\r\n} "u8.ToArray()])));
    }

    /// <summary>Removes whitespace outside strings, byte for byte (escapes and everything else stay).</summary>
    private static byte[] Compact(byte[] json)
    {
        var output = new List<byte>(json.Length);
        var inString = false;
        var escaped = false;
        foreach (var c in json)
        {
            if (inString)
            {
                output.Add(c);
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                continue;
            }

            inString = c == '"';
            output.Add(c);
        }

        return [.. output];
    }

    private static byte[] Indent(IEnumerable<byte[]> pieces)
    {
        var output = new ArrayBufferWriter<byte>();
        var indenter = default(JsonIndenter);
        foreach (var piece in pieces)
        {
            indenter.Write(piece, output);
        }

        return output.WrittenSpan.ToArray();
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        var at = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(
            at == expected.Length && at == actual.Length,
            $"the indented body differs at byte {at} of {expected.Length}: expected …{Excerpt(expected, at)}… got …{Excerpt(actual, at)}…");
    }

    private static string Excerpt(byte[] bytes, int at) =>
        Encoding.UTF8.GetString(bytes.AsSpan(Math.Max(0, at - 60), Math.Min(bytes.Length, at + 60) - Math.Max(0, at - 60))).Replace("\n", "\\n", StringComparison.Ordinal);
}
