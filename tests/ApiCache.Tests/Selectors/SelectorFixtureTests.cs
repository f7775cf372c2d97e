using ApiCache.Selectors;
using ApiCache.Serving;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Selectors;

/// <summary>The recorded apiserver's selector answers: every error Status byte for byte, and every filtered list.</summary>
public sealed class SelectorFixtureTests
{
    [Theory]
    [InlineData("04-err-labelSelector-malformed")]
    [InlineData("04-err-labelSelector-malformed-in")]
    [InlineData("04-err-labelSelector-invalid-value")]
    public void LabelSelectorTryParse_FixtureRequest_GivesFixtureStatus(string fixture)
    {
        var text = SelectorFixtures.Query(fixture, "labelSelector");

        Assert.False(LabelSelector.TryParse(text, out _, out var error));
        Assert.Equal(SelectorFixtures.StatusMessage(fixture), error);
        Assert.Equal(FixtureUpstream.FixtureBody(fixture), StatusWriter.ToBytes(new StatusError(400, "BadRequest", error)));
    }

    [Theory]
    [InlineData("04-err-fieldSelector-malformed")]
    [InlineData("04-err-fieldSelector-in-operator")]
    [InlineData("04-err-fieldSelector-pods-spec.foo")]
    [InlineData("04-err-fieldSelector-configmaps-spec.nodeName")]
    [InlineData("04-err-fieldSelector-widgets-spec.size")]
    public void FieldSelectorParseAndConvert_FixtureRequest_GivesFixtureStatus(string fixture)
    {
        var text = SelectorFixtures.Query(fixture, "fieldSelector");

        var error = FieldSelector.TryParse(text, out var selector, out var parseError)
            ? ConversionFor(SelectorFixtures.Path(fixture)).Validate(selector)
            : parseError;

        Assert.NotNull(error);
        Assert.Equal(SelectorFixtures.StatusMessage(fixture), error);
        Assert.Equal(FixtureUpstream.FixtureBody(fixture), StatusWriter.ToBytes(new StatusError(400, "BadRequest", error)));
    }

    [Theory]
    [InlineData("02-list-pods-label-eq", "02-list-pods-all")]
    [InlineData("02-list-pods-label-dbleq", "02-list-pods-all")]
    [InlineData("02-list-pods-label-neq", "02-list-pods-all")]
    [InlineData("02-list-pods-label-in", "02-list-pods-all")]
    [InlineData("02-list-pods-label-notin", "02-list-pods-all")]
    [InlineData("02-list-pods-label-exists", "02-list-pods-all")]
    [InlineData("02-list-pods-label-notexists", "02-list-pods-all")]
    [InlineData("02-list-pods-label-multi", "02-list-pods-all")]
    [InlineData("02-list-pods-label-nomatch", "02-list-pods-all")]
    [InlineData("02-list-pods-field-metadata.name", "02-list-pods-all")]
    [InlineData("02-list-pods-field-nodeName-node-1", "02-list-pods-all")]
    [InlineData("02-list-pods-field-phase-Pending", "02-list-pods-all")]
    [InlineData("02-list-pods-field-unscheduled-scheduler-style", "02-list-pods-all")]
    [InlineData("02-list-pods-field-and-label-combined", "02-list-pods-all")]
    [InlineData("02-list-pods-ns-field-nodeName", "02-list-pods-all")]
    [InlineData("02-list-nodes-label", "02-list-nodes-all")]
    [InlineData("02-list-nodes-field-metadata.name", "02-list-nodes-all")]
    [InlineData("02-list-configmaps-label", "02-list-configmaps-all")]
    [InlineData("02-list-widgets-label", "02-list-widgets-all")]
    [InlineData("02-list-widgets-field-metadata.name", "02-list-widgets-all")]
    public void Matches_FixtureSelectorsOverFullList_SelectTheFixtureItems(string fixture, string fullList)
    {
        var path = SelectorFixtures.Path(fixture);
        var labels = LabelSelector.Parse(SelectorFixtures.Query(fixture, "labelSelector"));
        Assert.True(ConversionFor(path).TryConvert(FieldSelector.Parse(SelectorFixtures.Query(fixture, "fieldSelector")), out var fields, out var error), error);
        var segments = path.Split('/');
        var ns = Array.IndexOf(segments, "namespaces") is var i and >= 0 ? segments[i + 1] : null;

        var selected = SelectorFixtures.Items(fullList)
            .Where(item => ns is null || item.GetProperty("metadata").GetProperty("namespace").GetString() == ns)
            .Where(item => labels.Matches(SelectorFixtures.Labels(item)) && fields.Matches(new JsonFieldAccessor(item)))
            .Select(SelectorFixtures.Key);

        Assert.Equal(SelectorFixtures.Items(fixture).Select(SelectorFixtures.Key), selected);
    }

    [Fact]
    public void Matches_UnscheduledSchedulerStyle_SelectsOnlyPodsWithoutNode()
    {
        var selector = FieldSelector.Parse(SelectorFixtures.Query("02-list-pods-field-unscheduled-scheduler-style", "fieldSelector"));

        Assert.Equal("spec.nodeName=,status.phase!=Failed,status.phase!=Succeeded", selector.ToString());
        Assert.True(selector.TryGetExactMatch("spec.nodeName", out var node));
        Assert.Equal("", node);
        Assert.Equal(["team-b/batch-1"], SelectorFixtures.Items("02-list-pods-field-unscheduled-scheduler-style").Select(SelectorFixtures.Key));
    }

    private static FieldLabelConversion ConversionFor(string path) => path.Split('/')[^1] switch
    {
        "pods" => FieldLabelConversion.Pods,
        "nodes" => FieldLabelConversion.Nodes,
        "configmaps" => FieldLabelConversion.ForBuiltIn("", "ConfigMap"),
        "widgets" => FieldLabelConversion.ForCustomResource(namespaced: true),
        var other => throw new InvalidOperationException("no conversion for " + other),
    };
}
