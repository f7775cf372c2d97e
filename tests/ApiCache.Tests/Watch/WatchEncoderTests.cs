using System.Buffers;
using System.Text;
using ApiCache.Informers;
using ApiCache.Serving;
using ApiCache.Storage;
using ApiCache.Tests.Infrastructure;
using ApiCache.Watch;

namespace ApiCache.Tests.Watch;

/// <summary>
/// <see cref="WatchEncoder"/> against lines of the recorded kube-apiserver watch streams: events
/// re-framed from stored list items, bookmarks of built-in and custom kinds, and the 410 ERROR event
/// must equal the fixtures byte for byte.
/// </summary>
public sealed class WatchEncoderTests
{
    private static readonly ListTypeInfo PodList = new("PodList", "v1", false);

    [Fact]
    public void EncodeEvent_StoredPodFromFixtureStream_EqualsTheApiserversLine()
    {
        var line = FixtureLines("05-watch-pods-label-release-canary").First(l => l.StartsWith("{\"type\":\"ADDED\"", StringComparison.Ordinal));
        var objectJson = Encoding.UTF8.GetBytes(line["{\"type\":\"ADDED\",\"object\":".Length..^1]);
        var stored = WatchTestPods.Decode(objectJson, new ObjectDecoder(WatchTestPods.Schema, namespaced: true));
        Assert.False(Encoding.UTF8.GetString(stored.Json).Contains("\"kind\":\"Pod\"", StringComparison.Ordinal)); // stored as a list item

        var frame = Encoder().EncodeEvent(WatchEventType.Added, stored);

        Assert.Equal(line + "\n", Encoding.UTF8.GetString(frame));
        var written = new ArrayBufferWriter<byte>();
        Encoder().WriteEvent(written, WatchEventType.Added, stored);
        Assert.Equal(frame, written.WrittenSpan.ToArray());
    }

    [Fact]
    public void EncodeBookmark_Pods_IsTheEmptyTypedPod()
    {
        Assert.Equal(
            "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"277\"},\"spec\":{\"containers\":null},\"status\":{}}}\n",
            Encoding.UTF8.GetString(Encoder().EncodeBookmark(277, initialEventsEnd: false)));
    }

    [Fact]
    public void EncodeBookmark_InitialEventsEndForPods_EqualsFixture()
    {
        var expected = FixtureLines("05-watchlist-team-a-rv-unset").Single(l => l.StartsWith("{\"type\":\"BOOKMARK\"", StringComparison.Ordinal));
        var rv = long.Parse(System.Text.Json.JsonDocument.Parse(expected).RootElement.GetProperty("object").GetProperty("metadata").GetProperty("resourceVersion").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected + "\n", Encoding.UTF8.GetString(Encoder().EncodeBookmark(rv, initialEventsEnd: true)));
    }

    [Fact]
    public void EncodeBookmark_Nodes_EqualsFixtureWithStatusStubs()
    {
        var expected = FixtureLines("05-watch-node1-identity-own-node-kubelet-style").Single(l => l.StartsWith("{\"type\":\"BOOKMARK\"", StringComparison.Ordinal));
        var nodes = WatchTestPods.Definition() with { Resource = "nodes", Kind = "Node", Namespaced = false };
        var encoder = new WatchEncoder(nodes, new ListTypeInfo("NodeList", "v1", false));

        Assert.Equal(expected + "\n", Encoding.UTF8.GetString(encoder.EncodeBookmark(443, initialEventsEnd: true)));
    }

    [Fact]
    public void EncodeBookmark_CustomResource_IsUnstructuredWithSortedKeys()
    {
        var expected = FixtureLines("05-watchlist-widgets").Single(l => l.StartsWith("{\"type\":\"BOOKMARK\"", StringComparison.Ordinal));
        var widgets = WatchTestPods.Definition() with { Group = "example.com", Resource = "widgets", Kind = "Widget", IsCustomResource = true };
        var encoder = new WatchEncoder(widgets, new ListTypeInfo("WidgetList", "example.com/v1", true));

        Assert.Equal(expected + "\n", Encoding.UTF8.GetString(encoder.EncodeBookmark(282, initialEventsEnd: true)));
        Assert.Equal(
            "{\"type\":\"BOOKMARK\",\"object\":{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"resourceVersion\":\"9\"}}}\n",
            Encoding.UTF8.GetString(encoder.EncodeBookmark(9, initialEventsEnd: false)));
    }

    [Fact]
    public void EncodeError_TooOldResourceVersion_EqualsFixture()
    {
        var expected = FixtureLines("06-restart-watch-from-R1-compacted-and-older-than-cache-410").Single();

        var frame = WatchEncoder.EncodeError(new StatusError(410, "Expired", "too old resource version: 373 (400)"));

        Assert.Equal(expected + "\n", Encoding.UTF8.GetString(frame));
    }

    [Fact]
    public void Resolve_DeletedPrevious_StampsTheOldStateWithTheEventsVersion()
    {
        var before = WatchTestPods.Pod("a", 5, app: "web");
        var after = WatchTestPods.Pod("a", 9, app: "db");
        var e = new WatchCacheEvent(WatchEventType.Modified, after, before, 9, DateTimeOffset.UnixEpoch);

        var (type, sent) = WatchEncoder.Resolve(EventDelivery.DeletedPrevious, e);

        Assert.Equal(WatchEventType.Deleted, type);
        Assert.Equal(WatchTestPods.Json("a", 9, app: "web"), Encoding.UTF8.GetString(sent.Json));
    }

    private static WatchEncoder Encoder() => new(WatchTestPods.Definition(), PodList);

    /// <summary>The body lines of a recorded watch response (after the blank line ending the headers).</summary>
    private static string[] FixtureLines(string name)
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.FixturesDirectory, name + ".response.txt"));
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var crlf and >= 0 ? crlf + 4 : text.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }
}
