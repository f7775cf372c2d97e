using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>Label selector syntax, errors and matching as kube-apiserver's labels.Parse has them.</summary>
public sealed class LabelSelectorTests
{
    private const string ValueRule =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private const string NameRule =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string SubdomainRule =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    public static TheoryData<string, string> ValidSelectors => new()
    {
        // input, canonical text (requirements sorted by key, in/notin values sorted and distinct)
        { "", "" },
        { "   \t\r\n", "" },
        { "a=b", "a=b" },
        { "a==b", "a==b" },
        { "a!=b", "a!=b" },
        { "a in (x,y)", "a in (x,y)" },
        { "a in (y,x,y)", "a in (x,y)" },
        { "a notin (x)", "a notin (x)" },
        { "a", "a" },
        { "!a", "!a" },
        { "! a", "!a" },
        { "a>5", "a>5" },
        { "a<10", "a<10" },
        { "a>007", "a>007" },
        { " a = b ", "a=b" },
        { "a\t=\tb", "a=b" },
        { "a\nin\n(\nx\n,\ny\n)", "a in (x,y)" },
        { "a=b,c!=d", "a=b,c!=d" },
        { "b=1,a=2", "a=2,b=1" },
        { "b,!a,c in (z)", "!a,b,c in (z)" },
        { "a=", "a=" },
        { "a=,b", "a=,b" },
        { "a==", "a==" },
        { "a!=", "a!=" },
        { "a in ()", "a in ()" },
        { "a notin ()", "a notin ()" },
        { "a in (,x)", "a in (,x)" },
        { "a in (x,)", "a in (,x)" },
        { "a in (x,,y)", "a in (,x,y)" },
        { "a in (,)", "a in ()" },
        { "x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()" },
        { "a in (in,notin)", "a in (in,notin)" },
        { "a=in", "a=in" },
        { "in", "in" },
        { "in in (in)", "in in (in)" },
        { "notin notin (notin)", "notin notin (notin)" },
        { "example.com/app=web", "example.com/app=web" },
        { "app.kubernetes.io/name in (web,db)", "app.kubernetes.io/name in (db,web)" },
        { "a=A-b_c.1", "a=A-b_c.1" },
        { "a=b,a!=c", "a=b,a!=c" },
        { "a=b \0junk", "a=b" },
        { "a=\0b", "a=b" },
    };

    public static TheoryData<string, string> InvalidSelectors => new()
    {
        // input, the apiserver's message
        { "app===web", "unable to parse requirement: found '=', expected: identifier" },
        { "app in (web", "unable to parse requirement: found '', expected: ',' or ')'" },
        { "app=web!", "found '!', expected: ',' or 'end of string'" },
        { "a=b,", "found '', expected: identifier after ','" },
        { "a=b,,c", "found ',', expected: identifier after ','" },
        { "a=b c", "found 'c', expected: ',' or 'end of string'" },
        { ",a", "found ',', expected: !, identifier, or 'end of string'" },
        { "=a", "found '=', expected: !, identifier, or 'end of string'" },
        { "(a)", "found '(', expected: !, identifier, or 'end of string'" },
        { "!", "unable to parse requirement: found '', expected: identifier" },
        { "!!a", "unable to parse requirement: found '!', expected: identifier" },
        { "!a=b", "found '=', expected: ',' or 'end of string'" },
        { "a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" },
        { "a (x)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt" },
        { "a >= 1", "unable to parse requirement: found '=', expected: identifier" },
        { "a in x", "unable to parse requirement: found 'x' expected: '('" },
        { "a in", "unable to parse requirement: found '' expected: '('" },
        { "a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier" },
        { "a in (", "unable to parse requirement: found '', expected: ',', ')' or identifier" },
        { "a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'" },
        { "a in (x,=)", "unable to parse requirement: found '=', expected: ',', or identifier" },
        { "a=(", "unable to parse requirement: found '(', expected: identifier" },
        { "a=b\0junk", "found 'junk', expected: ',' or 'end of string'" },
        { "a=-x", $"unable to parse requirement: values[0][a]: Invalid value: \"-x\": {ValueRule}" },
        { "a=x\"y", $"unable to parse requirement: values[0][a]: Invalid value: \"x\\\"y\": {ValueRule}" },
        { "a=" + new string('v', 64), $"unable to parse requirement: values[0][a]: Invalid value: \"{new string('v', 64)}\": must be no more than 63 characters" },
        { "a=" + new string('-', 64), $"unable to parse requirement: values[0][a]: Invalid value: \"{new string('-', 64)}\": must be no more than 63 characters; {ValueRule}" },
        { "a in (-x,-y)", $"unable to parse requirement: [values[0][a]: Invalid value: \"-x\": {ValueRule}, values[1][a]: Invalid value: \"-y\": {ValueRule}]" },
        { "a in (ok,-y)", $"unable to parse requirement: values[0][a]: Invalid value: \"-y\": {ValueRule}" },
        { "a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer" },
        { "a>", "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer" },
        { "a>-1", $"unable to parse requirement: values[0][a]: Invalid value: \"-1\": {ValueRule}" },
        { "a<-x", $"unable to parse requirement: [values[0]: Invalid value: \"-x\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: \"-x\": {ValueRule}]" },
        { "a>99999999999999999999", "unable to parse requirement: values[0]: Invalid value: \"99999999999999999999\": for 'Gt', 'Lt' operators, the value must be an integer" },
        { "-a=b", $"unable to parse requirement: <nil>: Invalid value: \"-a\": name part {NameRule}" },
        { "!-a", $"unable to parse requirement: <nil>: Invalid value: \"-a\": name part {NameRule}" },
        { "a/b/c", $"unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name {NameRule} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')" },
        { "/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty" },
        { "a/", $"unable to parse requirement: <nil>: Invalid value: \"a/\": name part must be non-empty; name part {NameRule}" },
        { "Example.com/a", $"unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part {SubdomainRule}" },
        { new string('k', 64), $"unable to parse requirement: <nil>: Invalid value: \"{new string('k', 64)}\": name part must be no more than 63 characters" },
        { "ключ", $"unable to parse requirement: <nil>: Invalid value: \"ключ\": name part {NameRule}" },
        { "a\u0001b", $"unable to parse requirement: <nil>: Invalid value: \"a\\x01b\": name part {NameRule}" },
    };

    [Theory]
    [MemberData(nameof(ValidSelectors))]
    public void TryParse_ValidSelector_ParsesToCanonicalText(string text, string canonical)
    {
        Assert.True(LabelSelector.TryParse(text, out var selector, out var error), error);
        Assert.Equal(canonical, selector.ToString());
        Assert.Equal(canonical.Length == 0, selector.IsEverything);
    }

    [Theory]
    [MemberData(nameof(InvalidSelectors))]
    public void TryParse_InvalidSelector_GivesApiserverMessage(string text, string message)
    {
        Assert.False(LabelSelector.TryParse(text, out var selector, out var error));
        Assert.Null(selector);
        Assert.Equal(message, error);
    }

    [Fact]
    public void Parse_InvalidSelector_ThrowsFormatExceptionWithMessage()
    {
        var exception = Assert.Throws<FormatException>(() => LabelSelector.Parse("a in (x"));

        Assert.Equal("unable to parse requirement: found '', expected: ',' or ')'", exception.Message);
    }

    [Fact]
    public void Parse_Requirements_ExposeKeyOperatorAndSortedValues()
    {
        var selector = LabelSelector.Parse("tier notin (b,a),app=web,!canary,zone in (z1),n>3");

        Assert.Collection(
            selector.Requirements,
            r => AssertRequirement(r, "app", LabelSelectorOperator.Equals, "web"),
            r => AssertRequirement(r, "canary", LabelSelectorOperator.DoesNotExist),
            r => AssertRequirement(r, "n", LabelSelectorOperator.GreaterThan, "3"),
            r => AssertRequirement(r, "tier", LabelSelectorOperator.NotIn, "a", "b"),
            r => AssertRequirement(r, "zone", LabelSelectorOperator.In, "z1"));
    }

    [Theory]
    [InlineData("app=web", "app", "web")]
    [InlineData("app==web", "app", "web")]
    [InlineData("app in (web)", "app", "web")]
    [InlineData("tier=x,app=web", "app", "web")]
    [InlineData("app=", "app", "")]
    public void TryGetExactMatch_PinnedKey_GivesValue(string text, string key, string expected)
    {
        Assert.True(LabelSelector.Parse(text).TryGetExactMatch(key, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("app!=web", "app")]
    [InlineData("app in (web,db)", "app")]
    [InlineData("app", "app")]
    [InlineData("tier=x", "app")]
    [InlineData("", "app")]
    public void TryGetExactMatch_KeyNotPinned_ReturnsFalse(string text, string key)
    {
        Assert.False(LabelSelector.Parse(text).TryGetExactMatch(key, out _));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app=db", false)]
    [InlineData("app!=db", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("missing=", false)]
    [InlineData("app in (db,web)", true)]
    [InlineData("app in (db)", false)]
    [InlineData("missing in (x)", false)]
    [InlineData("app notin (web)", false)]
    [InlineData("app notin (db)", true)]
    [InlineData("missing notin (x)", true)]
    [InlineData("app", true)]
    [InlineData("missing", false)]
    [InlineData("!missing", true)]
    [InlineData("!app", false)]
    [InlineData("release=", true)]
    [InlineData("release", true)]
    [InlineData("!release", false)]
    [InlineData("release in ()", true)]
    [InlineData("app in ()", false)]
    [InlineData("release notin ()", false)]
    [InlineData("num>9", true)]
    [InlineData("num>10", false)]
    [InlineData("num<11", true)]
    [InlineData("num<10", false)]
    [InlineData("big>9223372036854775806", true)]
    [InlineData("app>1", false)]
    [InlineData("app<1", false)]
    [InlineData("neg<0", true)]
    [InlineData("missing<5", false)]
    [InlineData("app=web,tier=frontend", true)]
    [InlineData("app=web,tier=backend", false)]
    [InlineData("app in (a1,a2,a3,a4,a5,a6,a7,a8,a9,web)", true)]
    [InlineData("app notin (a1,a2,a3,a4,a5,a6,a7,a8,a9,web)", false)]
    [InlineData("app in (a1,a2,a3,a4,a5,a6,a7,a8,a9,a10)", false)]
    [InlineData("example.com/team=a", true)]
    public void Matches_Labels_FollowsApiserverSemantics(string text, bool expected)
    {
        var labels = new Dictionary<string, string>
        {
            ["app"] = "web",
            ["tier"] = "frontend",
            ["release"] = "",
            ["num"] = "10",
            ["neg"] = "-3",
            ["big"] = "9223372036854775807",
            ["example.com/team"] = "a",
        };

        Assert.Equal(expected, LabelSelector.Parse(text).Matches(labels));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("!a", true)]
    [InlineData("a!=x", true)]
    [InlineData("a notin (x)", true)]
    [InlineData("a", false)]
    [InlineData("a=", false)]
    [InlineData("a in ()", false)]
    public void Matches_NoLabels_OnlyNegativeRequirementsHold(string text, bool expected)
    {
        var selector = LabelSelector.Parse(text);

        Assert.Equal(expected, selector.Matches((IReadOnlyDictionary<string, string>?)null));
        Assert.Equal(expected, selector.Matches(new Dictionary<string, string>()));
    }

    [Fact]
    public void Matches_ValueComparison_IsCaseSensitive()
    {
        var labels = new Dictionary<string, string> { ["app"] = "Web" };

        Assert.False(LabelSelector.Parse("app=web").Matches(labels));
        Assert.True(LabelSelector.Parse("app=Web").Matches(labels));
        Assert.False(LabelSelector.Parse("App").Matches(labels));
    }

    [Fact]
    public void Everything_ParsedFromEmptyOrNull_IsShared()
    {
        Assert.Same(LabelSelector.Everything, LabelSelector.Parse(null));
        Assert.Same(LabelSelector.Everything, LabelSelector.Parse(""));
        Assert.Same(LabelSelector.Everything, LabelSelector.Parse(" "));
        Assert.Empty(LabelSelector.Everything.Requirements);
    }

    [Fact]
    public void TryCreate_ProgrammaticRequirement_ValidatesLikeNewRequirement()
    {
        Assert.False(LabelRequirement.TryCreate("a", LabelSelectorOperator.In, [], out _, out var empty));
        Assert.Equal("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty", empty);

        Assert.False(LabelRequirement.TryCreate("a", LabelSelectorOperator.Equals, ["x", "y"], out _, out var two));
        Assert.Equal("values: Invalid value: []string{\"x\", \"y\"}: exact-match compatibility requires one single value", two);

        Assert.False(LabelRequirement.TryCreate("a", LabelSelectorOperator.Exists, ["x"], out _, out var exists));
        Assert.Equal("values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist", exists);

        Assert.False(LabelRequirement.TryCreate("-a", LabelSelectorOperator.Exists, [], out _, out var key));
        Assert.Equal($"key: Invalid value: \"-a\": name part {NameRule}", key);

        Assert.True(LabelRequirement.TryCreate("a", LabelSelectorOperator.NotIn, ["y", "x", "y"], out var requirement, out _));
        Assert.Equal("a notin (x,y)", requirement.ToString());
        Assert.Equal(LabelRequirement.Create("a", LabelSelectorOperator.NotIn, "x", "y"), requirement);
    }

    private static void AssertRequirement(LabelRequirement requirement, string key, LabelSelectorOperator op, params string[] values)
    {
        Assert.Equal(key, requirement.Key);
        Assert.Equal(op, requirement.Operator);
        Assert.Equal(values, requirement.Values);
    }
}
