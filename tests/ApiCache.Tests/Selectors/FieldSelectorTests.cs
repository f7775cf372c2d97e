using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>Field selector syntax, escaping, errors and matching as kube-apiserver's fields.ParseSelector has them.</summary>
public sealed class FieldSelectorTests
{
    public static TheoryData<string, string[]> ValidSelectors => new()
    {
        // input, the terms as "field|op|value" in the apiserver's order (sorted by raw term text)
        { "", [] },
        { ",", [] },
        { ",,a=b,", ["a|=|b"] },
        { "a=b", ["a|=|b"] },
        { "a==b", ["a|=|b"] },
        { "a!=b", ["a|!=|b"] },
        { "a=", ["a|=|"] },
        { "a!=", ["a|!=|"] },
        { "=b", ["|=|b"] },
        { "a=!b", ["a|=|!b"] },
        { "a!b=c", ["a!b|=|c"] },
        { " a = b ", [" a |=| b "] },
        { "spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed", ["spec.nodeName|=|", "status.phase|!=|Failed", "status.phase|!=|Succeeded"] },
        { "z=1,a=2", ["a|=|2", "z|=|1"] },
        { "a=x\\,y", ["a|=|x,y"] },
        { "a=x\\=y", ["a|=|x=y"] },
        { "a=x\\\\y", ["a|=|x\\y"] },
        { "a=\\\\", ["a|=|\\"] },
        { "a=x\\,y,b=z", ["a|=|x,y", "b|=|z"] },
        { "a=b c", ["a|=|b c"] },
        { "a=ü", ["a|=|ü"] },
    };

    public static TheoryData<string, string> InvalidSelectors => new()
    {
        { "spec.nodeName", "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'" },
        { "spec.nodeName in (node-1)", "invalid selector: 'spec.nodeName in (node-1)'; can't understand 'spec.nodeName in (node-1)'" },
        { "a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'" },
        { "zzz,aaa", "invalid selector: 'zzz,aaa'; can't understand 'aaa'" },
        { "a!b", "invalid selector: 'a!b'; can't understand 'a!b'" },
        { "a<1", "invalid selector: 'a<1'; can't understand 'a<1'" },
        { "a=b=c", "invalid field selector: unescaped character in value: 61" },
        { "a===b", "invalid field selector: unescaped character in value: 61" },
        { "a\\=b=c", "invalid field selector: unescaped character in value: 61" },
        { "a=x\\!", "invalid field selector: invalid escape sequence: \\!" },
        { "a=x\\y", "invalid field selector: invalid escape sequence: \\y" },
        { "a=x\\", "invalid field selector: invalid escape sequence: \\" },
        { "a=\\😀", "invalid field selector: invalid escape sequence: \\😀" },
        { "b=\\q,a", "invalid selector: 'b=\\q,a'; can't understand 'a'" },
        { "b=\\q,bad", "invalid field selector: invalid escape sequence: \\q" },
        { "c=\\q,a=ok,b", "invalid selector: 'c=\\q,a=ok,b'; can't understand 'b'" },
        { "a=\\q,b", "invalid field selector: invalid escape sequence: \\q" },
    };

    [Theory]
    [MemberData(nameof(ValidSelectors))]
    public void TryParse_ValidSelector_GivesTermsInApiserverOrder(string text, string[] terms)
    {
        Assert.True(FieldSelector.TryParse(text, out var selector, out var error), error);
        Assert.Equal(terms, selector.Requirements.Select(r => $"{r.Field}|{(r.Operator == FieldSelectorOperator.Equals ? "=" : "!=")}|{r.Value}"));
        Assert.Equal(terms.Length == 0, selector.IsEverything);
    }

    [Theory]
    [MemberData(nameof(InvalidSelectors))]
    public void TryParse_InvalidSelector_GivesApiserverMessage(string text, string message)
    {
        Assert.False(FieldSelector.TryParse(text, out var selector, out var error));
        Assert.Null(selector);
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("a=x\\,y", "a=x\\,y")]
    [InlineData("a==x\\=y", "a=x\\=y")]
    [InlineData("b!=\\\\,a=1", "a=1,b!=\\\\")]
    [InlineData("a=", "a=")]
    public void ToString_Parsed_RendersEscapedValues(string text, string expected)
    {
        Assert.Equal(expected, FieldSelector.Parse(text).ToString());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b=c\\d", "a\\,b\\=c\\\\d")]
    [InlineData("", "")]
    public void EscapeValue_SpecialChars_GetBackslash(string value, string expected)
    {
        Assert.Equal(expected, FieldSelector.EscapeValue(value));
        Assert.True(FieldSelector.TryUnescapeValue(expected, out var unescaped, out _));
        Assert.Equal(value, unescaped);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("spec.nodeName=node-1", true)]
    [InlineData("spec.nodeName==node-1", true)]
    [InlineData("spec.nodeName=node-2", false)]
    [InlineData("spec.nodeName!=node-1", false)]
    [InlineData("spec.nodeName!=node-2", true)]
    [InlineData("spec.nodeName=", false)]
    [InlineData("status.phase=Running,spec.nodeName=node-1", true)]
    [InlineData("status.phase=Running,spec.nodeName=node-2", false)]
    [InlineData("status.podIP=", true)]
    [InlineData("status.podIP!=", false)]
    [InlineData("spec.hostNetwork=false", true)]
    [InlineData("spec.hostNetwork=true", false)]
    [InlineData("status.phase=running", false)]
    [InlineData("metadata.name=a\\,b", true)]
    public void Matches_Fields_ComparesStrings(string text, bool expected)
    {
        var fields = new Dictionary<string, string>
        {
            ["spec.nodeName"] = "node-1",
            ["status.phase"] = "Running",
            ["spec.hostNetwork"] = "false",
            ["metadata.name"] = "a,b",
        };

        Assert.Equal(expected, FieldSelector.Parse(text).Matches(fields));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Matches_UnscheduledPod_MatchesEmptyNodeName(string? nodeName)
    {
        var fields = nodeName is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["spec.nodeName"] = nodeName };
        var selector = FieldSelector.Parse("spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed");

        Assert.True(selector.Matches(fields));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["spec.nodeName"] = "node-1" }));
        Assert.True(selector.Matches((IReadOnlyDictionary<string, string>?)null));
    }

    [Theory]
    [InlineData("spec.nodeName=node-1", "node-1")]
    [InlineData("spec.nodeName==node-1,status.phase!=Failed", "node-1")]
    [InlineData("spec.nodeName=", "")]
    [InlineData("spec.nodeName!=x,spec.nodeName=y", "y")]
    public void TryGetExactMatch_EqualityTerm_GivesValue(string text, string expected)
    {
        Assert.True(FieldSelector.Parse(text).TryGetExactMatch("spec.nodeName", out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("spec.nodeName!=node-1")]
    [InlineData("status.phase=Running")]
    public void TryGetExactMatch_NoEqualityTerm_ReturnsFalse(string text)
    {
        Assert.False(FieldSelector.Parse(text).TryGetExactMatch("spec.nodeName", out _));
    }

    [Fact]
    public void Everything_ParsedFromEmptyOrNull_IsShared()
    {
        Assert.Same(FieldSelector.Everything, FieldSelector.Parse(null));
        Assert.Same(FieldSelector.Everything, FieldSelector.Parse(""));
        Assert.Same(FieldSelector.Everything, FieldSelector.Parse(",,"));
    }

    [Fact]
    public void Parse_InvalidSelector_ThrowsFormatExceptionWithMessage()
    {
        var exception = Assert.Throws<FormatException>(() => FieldSelector.Parse("x"));

        Assert.Equal("invalid selector: 'x'; can't understand 'x'", exception.Message);
    }
}
