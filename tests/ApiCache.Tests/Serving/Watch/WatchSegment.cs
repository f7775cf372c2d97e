using System.Globalization;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// One watch request of a watcher (with the LIST before it, for a re-list), as the client saw it:
/// what it asked for, the upstream's revision just before it asked (a consistent start may not be
/// older), every line it got, and how it ended.
/// </summary>
internal sealed class WatchSegment(SegmentKind kind, long floor)
{
    /// <summary>How it started.</summary>
    public SegmentKind Kind { get; } = kind;

    /// <summary>The upstream's revision just before the request (the LIST for a re-list).</summary>
    public long Floor { get; } = floor;

    /// <summary>For <see cref="SegmentKind.From"/>: the resourceVersion asked for; for a re-list: the list's.</summary>
    public long? FromRevision { get; set; }

    /// <summary>For a re-list: the listed items.</summary>
    public List<JsonObject> ListItems { get; } = [];

    /// <summary>The watch request's path.</summary>
    public string Path { get; set; } = "";

    /// <summary>The HTTP status of the watch (or the failed LIST); 0 when the request failed before an answer.</summary>
    public int Status { get; set; }

    /// <summary>The events, in order of arrival.</summary>
    public List<JsonObject> Events { get; } = [];

    /// <summary>How it ended: "end" (the server ended it), "expired" (410), "io: ..." (cut), "stopped" (the test's end), "http ...".</summary>
    public string End { get; set; } = "";

    /// <summary>Whether a watch stream was open (HTTP 200).</summary>
    public bool Streamed => Status == 200;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind} floor {Floor} from {FromRevision?.ToString(CultureInfo.InvariantCulture) ?? "-"} {Path} -> {Status}, {Events.Count} events, end {End}");
}
