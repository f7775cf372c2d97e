using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// A watching client in the manner of client-go: watches through the proxy as its
/// <see cref="WatcherSpec"/> says; when the stream ends (timeout, cut connection) it resumes from
/// the last resourceVersion it saw (an event's or a BOOKMARK's; before the initial events are known
/// to be over it starts afresh), and after a 410 it re-lists (LIST, resourceVersion unset) and
/// watches from the list's resourceVersion. It keeps its view of the objects and every request it
/// made (<see cref="Segments"/>) for the checker.
/// </summary>
internal sealed class ClientWatcher(WatcherSpec spec, HttpClient proxy, Func<Task<long>> upstreamRevision)
{
    /// <summary>Bounds the requests of one watcher (a failure guard; a run makes a few dozen).</summary>
    private const int MaxRequests = 2_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, JsonObject> _view = new(StringComparer.Ordinal);
    private readonly List<WatchSegment> _segments = [];

    /// <summary>The watcher's definition.</summary>
    public WatcherSpec Spec { get; } = spec;

    /// <summary>A copy of the requests so far.</summary>
    public IReadOnlyList<WatchSegment> Segments
    {
        get
        {
            lock (_gate)
            {
                return [.. _segments];
            }
        }
    }

    /// <summary>A copy of the watcher's view: key to object.</summary>
    public Dictionary<string, JsonObject> View()
    {
        lock (_gate)
        {
            return new Dictionary<string, JsonObject>(_view, StringComparer.Ordinal);
        }
    }

    /// <summary>Watches until <paramref name="stop"/>, starting at <paramref name="recentRevision"/> for <see cref="WatcherStart.Recent"/>.</summary>
    public async Task RunAsync(long recentRevision, CancellationToken stop)
    {
        var next = Spec.Start == WatcherStart.Recent ? SegmentKind.From : SegmentKind.Fresh;
        long? last = Spec.Start == WatcherStart.Recent ? recentRevision : null;
        for (var request = 0; request < MaxRequests && !stop.IsCancellationRequested; request++)
        {
            var segment = new WatchSegment(next, await upstreamRevision());
            lock (_gate)
            {
                _segments.Add(segment);
            }

            try
            {
                (next, last) = await RunSegmentAsync(segment, last, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                segment.End = "stopped";
                return;
            }
        }
    }

    /// <summary>One request; returns how to go on and the resourceVersion to resume from.</summary>
    private async Task<(SegmentKind Next, long? Last)> RunSegmentAsync(WatchSegment segment, long? last, CancellationToken stop)
    {
        if (segment.Kind == SegmentKind.Relist)
        {
            using var list = await SendAsync(Spec.ListPath(), stop);
            segment.Path = Spec.ListPath();
            segment.Status = list is null ? 0 : (int)list.StatusCode;
            if (list is null || !list.IsSuccessStatusCode)
            {
                segment.End = "list failed";
                await BackOffAsync(stop);
                return (SegmentKind.Relist, last);
            }

            var body = JsonNode.Parse(await list.Content.ReadAsStringAsync(stop))!;
            var listRevision = long.Parse((string)body["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);
            segment.FromRevision = listRevision;
            lock (_gate)
            {
                _view.Clear();
                foreach (var item in body["items"]!.AsArray())
                {
                    var obj = (JsonObject)item!.DeepClone();
                    segment.ListItems.Add(obj);
                    _view[UpstreamRecord.KeyOf(obj)] = obj;
                }
            }

            last = listRevision;
        }
        else if (segment.Kind == SegmentKind.From)
        {
            segment.FromRevision = last;
        }

        var path = Spec.WatchPath(segment.Kind == SegmentKind.Fresh ? null : last!.Value.ToString(CultureInfo.InvariantCulture), Spec.Start);
        segment.Path = path;
        using var response = await SendAsync(path, stop);
        segment.Status = response is null ? 0 : (int)response.StatusCode;
        if (response is null || segment.Status != 200)
        {
            segment.End = response is null ? "no answer" : "http " + segment.Status.ToString(CultureInfo.InvariantCulture);
            if (segment.Status == 410)
            {
                return (SegmentKind.Relist, last);
            }

            await BackOffAsync(stop);

            // A failed re-list watch re-lists again; a failed fresh start starts afresh.
            return (segment.Kind == SegmentKind.Relist ? SegmentKind.Relist : last is null ? SegmentKind.Fresh : SegmentKind.From, segment.Kind == SegmentKind.Fresh ? null : last);
        }

        // Until the initial events are known to be over (a BOOKMARK, or an event that is not ADDED), a fresh start has no resume point.
        var initialOver = segment.Kind != SegmentKind.Fresh;
        if (segment.Kind == SegmentKind.Fresh)
        {
            last = null;
            lock (_gate)
            {
                _view.Clear();
            }
        }

        try
        {
            using var stream = await response.Content.ReadAsStreamAsync(stop);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(stop) is string line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var watchEvent = (JsonObject)JsonNode.Parse(line)!;
                lock (_gate)
                {
                    segment.Events.Add(watchEvent);
                }

                var type = (string?)watchEvent["type"];
                var obj = (JsonObject)watchEvent["object"]!;
                if (type == "ERROR")
                {
                    segment.End = "error " + (int?)obj["code"];
                    return (SegmentKind.Relist, last);
                }

                var revision = UpstreamRecord.ResourceVersion(obj);
                if (type == "BOOKMARK")
                {
                    initialOver = true;
                    last = revision;
                    continue;
                }

                lock (_gate)
                {
                    if (type == "DELETED")
                    {
                        _view.Remove(UpstreamRecord.KeyOf(obj));
                    }
                    else
                    {
                        _view[UpstreamRecord.KeyOf(obj)] = obj;
                    }
                }

                initialOver |= type != "ADDED";
                if (initialOver)
                {
                    last = revision;
                }
            }

            segment.End = "end";
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !stop.IsCancellationRequested)
        {
            segment.End = "io: " + e.Message;
        }
        catch (JsonException e)
        {
            segment.End = "bad json: " + e.Message;
        }

        return (last is null ? SegmentKind.Fresh : SegmentKind.From, last);
    }

    private async Task<HttpResponseMessage?> SendAsync(string path, CancellationToken stop)
    {
        try
        {
            return await proxy.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop);
        }
        catch (HttpRequestException)
        {
            await BackOffAsync(stop);
            return null;
        }
        catch (TaskCanceledException) when (!stop.IsCancellationRequested)
        {
            return null;
        }
    }

    private static Task BackOffAsync(CancellationToken stop) => Task.Delay(TimeSpan.FromMilliseconds(100), stop);
}
