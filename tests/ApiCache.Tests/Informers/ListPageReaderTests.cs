using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Informers;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Informers;

public sealed class ListPageReaderTests
{
    [Fact]
    public void Read_BuiltInListFixture_ReturnsTypeMetadataAndRawItems()
    {
        var body = FixtureUpstream.FixtureBody("02-list-configmaps-limit2-page1");
        var expected = JsonNode.Parse(body)!;

        using var page = ListPageReader.Read(body, null, "list");

        Assert.Equal("ConfigMapList", page.Kind);
        Assert.Equal("v1", page.ApiVersion);
        Assert.Equal(long.Parse(expected["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), page.ResourceVersion);
        Assert.Equal(expected["metadata"]!["continue"]!.GetValue<string>(), page.Continue);
        Assert.Equal(expected["metadata"]!["remainingItemCount"]!.GetValue<long>(), page.RemainingItemCount);
        Assert.False(page.ItemsCarryTypeMeta);
        Assert.Equal(
            expected["items"]!.AsArray().Select(i => i!.ToJsonString()),
            page.Items.Select(i => JsonNode.Parse(i.Span)!.ToJsonString()));
        // The items are slices of the body, byte for byte.
        Assert.All(page.Items, i => Assert.True(body.AsSpan().IndexOf(i.Span) >= 0));
    }

    [Fact]
    public void Read_CustomResourceListFixture_ItemsFirstAndCarryTypeMeta()
    {
        var body = FixtureUpstream.FixtureBody("02-list-widgets-limit1-page1");

        using var page = ListPageReader.Read(body, null, "list");

        Assert.Equal("WidgetList", page.Kind);
        Assert.Equal("example.com/v1", page.ApiVersion);
        Assert.Equal(249, page.ResourceVersion);
        Assert.NotNull(page.Continue);
        Assert.True(page.ItemsCarryTypeMeta);
        var item = Assert.Single(page.Items);
        Assert.StartsWith("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\"", Encoding.UTF8.GetString(item.Span), StringComparison.Ordinal);
        Assert.EndsWith("\"spec\":{\"color\":\"blue\",\"size\":42}}", Encoding.UTF8.GetString(item.Span), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LastPageWithEmptyContinue_HasNoContinueAndEmptyItemsTellNothing()
    {
        var body = """{"apiVersion":"example.com/v1","items":[],"kind":"WidgetList","metadata":{"continue":"","resourceVersion":"300"}}"""u8.ToArray();

        using var page = ListPageReader.Read(body, null, "list");

        Assert.Null(page.Continue);
        Assert.Empty(page.Items);
        Assert.Null(page.ItemsCarryTypeMeta);
        Assert.Equal(300, page.ResourceVersion);
    }

    [Theory]
    [InlineData("""{"kind":"PodList","items":[]}""", "no metadata.resourceVersion")]
    [InlineData("""{"kind":"PodList","metadata":{"resourceVersion":"x"},"items":[]}""", "not an integer")]
    [InlineData("""{"kind":"PodList","metadata":{"resourceVersion":"1"},"items":[1]}""", "item 0 is not a JSON object")]
    [InlineData("""{"kind":"PodList","metadata":{"resourceVersion":"1"},"items":[{}""", "not valid JSON")]
    [InlineData("""<html>""", "not valid JSON")]
    public void Read_NotAList_ThrowsDecodeException(string text, string expected)
    {
        var error = Assert.Throws<UpstreamDecodeException>(() => ListPageReader.Read(Encoding.UTF8.GetBytes(text), null, "list of /api/v1/pods"));

        Assert.StartsWith("list of /api/v1/pods: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
