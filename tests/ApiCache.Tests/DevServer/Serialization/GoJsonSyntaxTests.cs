using System.Text;
using ApiCache.DevServer.Serialization;

namespace ApiCache.Tests.DevServer.Serialization;

/// <summary>Syntax errors are worded exactly like Go's encoding/json, which the apiserver quotes.</summary>
public sealed class GoJsonSyntaxTests
{
    [Theory]
    [InlineData("", "unexpected end of JSON input")]
    [InlineData("   ", "unexpected end of JSON input")]
    [InlineData("{", "unexpected end of JSON input")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{", "unexpected end of JSON input")]
    [InlineData("\"abc", "unexpected end of JSON input")]
    [InlineData("x", "invalid character 'x' looking for beginning of value")]
    [InlineData("'a'", "invalid character '\\'' looking for beginning of value")]
    [InlineData("{]", "invalid character ']' looking for beginning of object key string")]
    [InlineData("{\"a\" 1}", "invalid character '1' after object key")]
    [InlineData("{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair")]
    [InlineData("[1 2]", "invalid character '2' after array element")]
    [InlineData("[1,]", "invalid character ']' looking for beginning of value")]
    [InlineData("{} x", "invalid character 'x' after top-level value")]
    [InlineData("{\"a\":1}}", "invalid character '}' after top-level value")]
    [InlineData("01", "invalid character '1' after top-level value")]
    [InlineData("1.", "invalid character ' ' after decimal point in numeric literal")]
    [InlineData("1.x", "invalid character 'x' after decimal point in numeric literal")]
    [InlineData("-a", "invalid character 'a' in numeric literal")]
    [InlineData("1e+", "invalid character ' ' in exponent of numeric literal")]
    [InlineData("tru", "invalid character ' ' in literal true (expecting 'e')")]
    [InlineData("nul!", "invalid character '!' in literal null (expecting 'l')")]
    [InlineData("fals", "invalid character ' ' in literal false (expecting 'e')")]
    [InlineData("\"a\nb\"", "invalid character '\\n' in string literal")]
    [InlineData("\"a\u0001\"", "invalid character '\\x01' in string literal")]
    [InlineData("\"\\x\"", "invalid character 'x' in string escape code")]
    [InlineData("\"\\u12G4\"", "invalid character 'G' in \\u hexadecimal character escape")]
    public void Check_MalformedJson_ReturnsGoMessage(string json, string expected)
    {
        Assert.Equal(expected, GoJsonSyntax.Check(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData(" null ")]
    [InlineData("{\"a\":[1,-0.5,2.5e-3,1E+2,true,false,null,\"x\\u00e9\\n\\\"\"],\"b\":{}}")]
    [InlineData("\"caf\u00e9\"")]
    public void Check_ValidJson_ReturnsNull(string json)
    {
        Assert.Null(GoJsonSyntax.Check(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Check_NonAsciiByteOutsideString_QuotesItAsLatin1Rune()
    {
        Assert.Equal("invalid character 'Ã' looking for beginning of value", GoJsonSyntax.Check([0xC3, 0xA9]));
    }

    [Fact]
    public void Check_InvalidUtf8InsideString_IsAccepted()
    {
        Assert.Null(GoJsonSyntax.Check([(byte)'"', 0xFF, 0xFE, (byte)'"']));
    }

    [Fact]
    public void Check_NestingBeyondLimit_ReportsExceededMaxDepth()
    {
        var tooDeep = new string('[', GoJsonSyntax.MaxDepth + 1) + new string(']', GoJsonSyntax.MaxDepth + 1);
        var deepest = new string('[', GoJsonSyntax.MaxDepth) + new string(']', GoJsonSyntax.MaxDepth);

        Assert.Equal("invalid character '[' exceeded max depth", GoJsonSyntax.Check(Encoding.UTF8.GetBytes(tooDeep)));
        Assert.Null(GoJsonSyntax.Check(Encoding.UTF8.GetBytes(deepest)));
    }
}
