using System.Text;
using ApiCache.Informers;

namespace ApiCache.Tests.Informers;

public sealed class WatchEventReaderTests
{
    [Theory]
    [InlineData("ADDED", "Added")]
    [InlineData("MODIFIED", "Modified")]
    [InlineData("DELETED", "Deleted")]
    [InlineData("BOOKMARK", "Bookmark")]
    [InlineData("ERROR", "Error")]
    public void TryRead_EachType_ReturnsTypeAndExactObjectBytes(string type, string expected)
    {
        const string obj = """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a \"quoted\" }{ name","resourceVersion":"7"},"spec":{"x":[1,{"y":null}]}}""";
        var line = Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\",\"object\":" + obj + "}");

        var ok = WatchEventReader.TryRead(line, out var actual, out var range, out var error);

        Assert.True(ok, error);
        Assert.Equal(Enum.Parse<UpstreamWatchEventType>(expected), actual);
        Assert.Equal(obj, Encoding.UTF8.GetString(line.AsSpan()[range]));
    }

    [Fact]
    public void TryRead_ObjectBeforeType_StillParses()
    {
        var line = """{"object":{"metadata":{"name":"x"}},"type":"DELETED"}"""u8.ToArray();

        var ok = WatchEventReader.TryRead(line, out var type, out var range, out _);

        Assert.True(ok);
        Assert.Equal(UpstreamWatchEventType.Deleted, type);
        Assert.Equal("""{"metadata":{"name":"x"}}""", Encoding.UTF8.GetString(line.AsSpan()[range]));
    }

    [Theory]
    [InlineData("""{"type":"ADDED","object":{"a":1}""", "not valid JSON")]
    [InlineData("""{"type":"ADDED"}""", "no object")]
    [InlineData("""{"object":{}}""", "no type")]
    [InlineData("""{"type":"RENAMED","object":{}}""", "unknown watch event type \"RENAMED\"")]
    [InlineData("""{"type":"ADDED","object":[1]}""", "not a JSON object")]
    [InlineData("""["ADDED"]""", "not a JSON object")]
    [InlineData("""{"type":"ADDED","object":{}} {}""", "not valid JSON")]
    public void TryRead_Malformed_ReturnsFalseWithReason(string text, string expected)
    {
        var ok = WatchEventReader.TryRead(Encoding.UTF8.GetBytes(text), out _, out _, out var error);

        Assert.False(ok);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadResourceVersion_FixtureBookmarkShapes_ReadOnlyTheResourceVersion()
    {
        // Fixture README, notable fact 4: typed bookmarks carry empty spec/status, CRD bookmarks only metadata.
        var typed = """{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"277"},"spec":{"containers":null},"status":{}}"""u8;
        var crd = """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"annotations":{"k8s.io/initial-events-end":"true"},"resourceVersion":"282"}}"""u8;

        Assert.True(WatchEventReader.TryReadResourceVersion(typed, out var typedRv));
        Assert.True(WatchEventReader.TryReadResourceVersion(crd, out var crdRv));
        Assert.Equal(277, typedRv);
        Assert.Equal(282, crdRv);
    }

    [Theory]
    [InlineData("""{"metadata":{}}""")]
    [InlineData("""{"metadata":{"resourceVersion":""}}""")]
    [InlineData("""{"metadata":{"resourceVersion":"-3"}}""")]
    [InlineData("""{"metadata":{"resourceVersion":"12a"}}""")]
    [InlineData("""{"metadata":{"resourceVersion":12}}""")]
    [InlineData("""{"spec":{}}""")]
    public void TryReadResourceVersion_MissingOrNotAnInteger_ReturnsFalse(string json)
    {
        Assert.False(WatchEventReader.TryReadResourceVersion(Encoding.UTF8.GetBytes(json), out _));
    }
}
