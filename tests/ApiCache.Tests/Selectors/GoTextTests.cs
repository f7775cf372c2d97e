using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>The Go string behaviours selector messages depend on.</summary>
public sealed class GoTextTests
{
    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("", "\"\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"")]
    [InlineData("\u0000\u001b\u007f", "\"\\x00\\x1b\\x7f\"")]
    [InlineData("\u00ad\u2028", "\"\\u00ad\\u2028\"")]
    [InlineData("\u00a0", "\"\\u00a0\"")]
    [InlineData("ключ 😀", "\"ключ 😀\"")]
    [InlineData("\U000E0001", "\"\\U000e0001\"")]
    public void Quote_Value_MatchesGoStrconvQuote(string value, string expected)
    {
        Assert.Equal(expected, GoText.Quote(value));
    }

    [Fact]
    public void CompareUtf8_SurrogateAndHighBmp_OrdersByCodePoint()
    {
        // U+FFFD sorts before U+1F600 in UTF-8 (and code point) order, after it in UTF-16 ordinal order.
        Assert.True(GoText.CompareUtf8("\uFFFD", "😀") < 0);
        Assert.True(string.CompareOrdinal("\uFFFD", "😀") > 0);
        Assert.True(GoText.CompareUtf8("a", "b") < 0);
        Assert.True(GoText.CompareUtf8("ab", "a") > 0);
        Assert.True(GoText.CompareUtf8("B", "a") < 0);
        Assert.Equal(0, GoText.CompareUtf8("x", "x"));
    }

    [Theory]
    [InlineData("0", true, 0L)]
    [InlineData("42", true, 42L)]
    [InlineData("+42", true, 42L)]
    [InlineData("-42", true, -42L)]
    [InlineData("007", true, 7L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("-9223372036854775809", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData("-", false, 0L)]
    [InlineData("+", false, 0L)]
    [InlineData(" 1", false, 0L)]
    [InlineData("1 ", false, 0L)]
    [InlineData("1_000", false, 0L)]
    [InlineData("1\0", false, 0L)]
    [InlineData("0x10", false, 0L)]
    public void TryParseInt64_Text_MatchesGoParseIntBase10(string text, bool ok, long expected)
    {
        Assert.Equal(ok, GoText.TryParseInt64(text, out var value));
        Assert.Equal(expected, value);
    }
}
