using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// Checks what one watcher received against the upstream's record. For each request: a re-list's
/// items must be exactly the watcher's view of the recorded state at the list's resourceVersion; a
/// fresh start's initial ADDED events exactly its view at some revision S (not older than the
/// revision before the request, for a consistent start; WatchList names S in its initial-events-end
/// BOOKMARK); then, from S (or from the resourceVersion resumed from), the events must be exactly the
/// recorded changes as the watcher's selectors see them (start matching: ADDED; stop matching:
/// DELETED with the old state at the new resourceVersion), in order, each after the one before,
/// without duplicates or gaps; a BOOKMARK may not go back nor pass a change not yet delivered; the
/// only ERROR allowed is 410 Expired (the client re-lists).
/// </summary>
internal sealed class WatchStreamChecker(WatcherSpec spec, IReadOnlyList<RecordedChange> changes, long startRevision)
{
    private const int MaxJsonInMessage = 700;

    /// <summary>The first difference, described, or null when every request of the watcher is right.</summary>
    public string? Check(IReadOnlyList<WatchSegment> segments)
    {
        long lastSeen = 0;
        for (var index = 0; index < segments.Count; index++)
        {
            var segment = segments[index];
            if (CheckSegment(segment, ref lastSeen) is string failure)
            {
                return string.Create(CultureInfo.InvariantCulture, $"request {index} of {segments.Count} ({segment}): {failure}\n{History(segments, index)}");
            }
        }

        return null;
    }

    /// <summary>The watcher's view (its namespace and selectors) of the recorded state at <paramref name="revision"/>.</summary>
    public Dictionary<string, JsonObject> ViewAt(long revision)
    {
        var state = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Revision > revision)
            {
                break;
            }

            Apply(state, change);
        }

        return Filter(state);
    }

    private string? CheckSegment(WatchSegment segment, ref long lastSeen)
    {
        switch (segment.Kind)
        {
            case SegmentKind.Relist:
                if (segment.FromRevision is not long listed)
                {
                    return null; // the LIST failed (the upstream was cut): nothing was received.
                }

                if (listed < segment.Floor || listed < lastSeen)
                {
                    return $"the consistent LIST answered resourceVersion {listed}, older than the upstream's {segment.Floor} before it or the {lastSeen} the watcher had seen";
                }

                if (CompareSet(segment.ListItems, ViewAt(listed), listItems: true) is string listDifference)
                {
                    return $"the LIST at {listed} is not the upstream's state then: {listDifference}";
                }

                return segment.Streamed ? CheckChanges(segment.Events, 0, listed, ref lastSeen) : null;
            case SegmentKind.From:
                if (lastSeen > 0 && segment.FromRevision != lastSeen)
                {
                    return $"resumed from {segment.FromRevision}, not from the last resourceVersion the watcher saw ({lastSeen})";
                }

                return segment.Streamed ? CheckChanges(segment.Events, 0, segment.FromRevision!.Value, ref lastSeen) : null;
            default:
                return segment.Streamed ? CheckFresh(segment, ref lastSeen) : null;
        }
    }

    /// <summary>A start without a resourceVersion to resume from: initial ADDED events of the view at some S, then the changes after S.</summary>
    private string? CheckFresh(WatchSegment segment, ref long lastSeen)
    {
        var events = segment.Events;
        if (spec.Start == WatcherStart.WatchList)
        {
            var end = events.FindIndex(e => (string?)e["type"] == "BOOKMARK" && (string?)e["object"]!["metadata"]!["annotations"]?["k8s.io/initial-events-end"] == "true");
            if (end >= 0)
            {
                var start = UpstreamRecord.ResourceVersion(events[end]["object"]!);
                if (start < segment.Floor)
                {
                    return $"the WatchList's initial-events-end BOOKMARK is at {start}, older than the upstream's {segment.Floor} before the request";
                }

                if (CompareSet(events.Take(end), ViewAt(start)) is string initialDifference)
                {
                    return $"the initial events up to the BOOKMARK at {start} are not the upstream's state then: {initialDifference}";
                }

                return CheckChanges(events, end + 1, start, ref lastSeen);
            }
        }

        // Unset / "0" (or a WatchList cut before its BOOKMARK): find the S the initial events show.
        var floor = spec.Start == WatcherStart.Zero ? startRevision : segment.Floor;
        var state = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var next = 0;
        for (; next < changes.Count && changes[next].Revision <= floor; next++)
        {
            Apply(state, changes[next]);
        }

        var candidate = floor;
        string? firstFailure = null;
        var firstFits = false;
        while (true)
        {
            var view = Filter(state);
            var initialCount = view.Count;
            string? failure;
            if (events.Count < initialCount || spec.Start == WatcherStart.WatchList)
            {
                // Cut during the initial events (a WatchList without its BOOKMARK is): objects of the view, each once.
                failure = SubsetOf(events, view);
                if (failure is null)
                {
                    return null;
                }
            }
            else
            {
                failure = CompareSet(events.Take(initialCount), view);
                if (failure is null)
                {
                    var seen = lastSeen;
                    failure = CheckChanges(events, initialCount, candidate, ref seen);
                    if (failure is null)
                    {
                        lastSeen = seen;
                        return null;
                    }
                }
            }

            // Report the first S whose initial events fit, if any (its later difference is the telling one).
            if (firstFailure is null || (!firstFits && failure is not null && failure.StartsWith("event ", StringComparison.Ordinal)))
            {
                firstFits = failure is not null && failure.StartsWith("event ", StringComparison.Ordinal);
                firstFailure = $"taking S = {candidate}: {failure}";
            }
            if (next >= changes.Count)
            {
                break;
            }

            candidate = changes[next].Revision;
            Apply(state, changes[next]);
            next++;
        }

        return $"no revision S >= {floor} explains the initial events (ADDED of the view at S, then the changes after S); {firstFailure}";
    }

    /// <summary>Events from <paramref name="from"/> on must be the recorded changes after <paramref name="start"/> as the watcher sees them.</summary>
    private string? CheckChanges(List<JsonObject> events, int from, long start, ref long lastSeen)
    {
        var expected = ExpectedAfter(start);
        var previous = start;
        var next = 0;
        for (var i = from; i < events.Count; i++)
        {
            var watchEvent = events[i];
            var type = (string?)watchEvent["type"];
            var obj = (JsonObject)watchEvent["object"]!;
            if (type == "ERROR")
            {
                if ((int?)obj["code"] == 410 && (string?)obj["reason"] == "Expired" && (string?)obj["kind"] == "Status" && i == events.Count - 1)
                {
                    break;
                }

                return $"event {i}: an ERROR other than a final 410 Expired: {Json(watchEvent)}";
            }

            var revision = UpstreamRecord.ResourceVersion(obj);
            if (type == "BOOKMARK")
            {
                if (revision < previous)
                {
                    return $"event {i}: BOOKMARK at {revision} goes back from {previous}";
                }

                if ((string?)obj["kind"] != "Pod" || (string?)obj["apiVersion"] != "v1")
                {
                    return $"event {i}: BOOKMARK of the wrong kind: {Json(watchEvent)}";
                }

                if (next < expected.Count && expected[next].Revision <= revision)
                {
                    return $"event {i}: BOOKMARK at {revision} while {Describe(expected[next])} was never sent (a gap)";
                }

                previous = revision;
                continue;
            }

            if (next >= expected.Count)
            {
                return $"event {i}: {type} {UpstreamRecord.KeyOf(obj)}@{revision} after every expected change was delivered (duplicate or invented); last expected: {(expected.Count == 0 ? "none" : Describe(expected[^1]))}";
            }

            var want = expected[next];
            if (revision <= previous)
            {
                return $"event {i}: {type} {UpstreamRecord.KeyOf(obj)}@{revision} is not after {previous} (duplicate or out of order); expected {Describe(want)}";
            }

            if (type != want.Type || UpstreamRecord.KeyOf(obj) != want.Key || revision != want.Revision)
            {
                return $"event {i}: got {type} {UpstreamRecord.KeyOf(obj)}@{revision}, expected {Describe(want)}{(revision > want.Revision ? " (a gap)" : "")}; then expected {string.Join(", ", expected.Skip(next + 1).Take(4).Select(Describe))}";
            }

            if (!JsonNode.DeepEquals(obj, want.Object))
            {
                return $"event {i}: {Describe(want)} carries another object:\n  got      {Json(obj)}\n  expected {Json(want.Object)}";
            }

            previous = revision;
            next++;
        }

        lastSeen = Math.Max(lastSeen, previous);
        return null;
    }

    /// <summary>The changes after <paramref name="start"/> as this watcher must see them.</summary>
    private List<RecordedChange> ExpectedAfter(long start)
    {
        var state = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var expected = new List<RecordedChange>();
        foreach (var change in changes)
        {
            if (change.Revision <= start)
            {
                Apply(state, change);
                continue;
            }

            var old = state.GetValueOrDefault(change.Key);
            var current = change.Type == "DELETED" ? null : change.Object;
            var wasIn = old is not null && spec.Matches(old);
            var isIn = current is not null && spec.Matches(current);
            if (current is null && wasIn)
            {
                expected.Add(change);
            }
            else if (isIn)
            {
                expected.Add(change with { Type = wasIn ? "MODIFIED" : "ADDED" });
            }
            else if (wasIn)
            {
                var last = (JsonObject)old!.DeepClone();
                last["metadata"]!["resourceVersion"] = change.Revision.ToString(CultureInfo.InvariantCulture);
                expected.Add(new RecordedChange(change.Revision, "DELETED", change.Key, last));
            }

            Apply(state, change);
        }

        return expected;
    }

    private Dictionary<string, JsonObject> Filter(Dictionary<string, JsonObject> state) =>
        state.Where(kv => spec.Matches(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static void Apply(Dictionary<string, JsonObject> state, RecordedChange change)
    {
        if (change.Type == "DELETED")
        {
            state.Remove(change.Key);
        }
        else
        {
            state[change.Key] = change.Object;
        }
    }

    /// <summary>Initial events (ADDED), or a list's items, against a view: the same objects, each once, in any order.</summary>
    private static string? CompareSet(IEnumerable<JsonObject> received, Dictionary<string, JsonObject> view, bool listItems = false)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in received)
        {
            var (type, obj) = Unwrap(item);
            var key = UpstreamRecord.KeyOf(obj);
            if (type != "ADDED")
            {
                return $"{type} {key} among the initial objects";
            }

            if (!seen.Add(key))
            {
                return $"{key} twice among the initial objects";
            }

            if (!view.TryGetValue(key, out var want))
            {
                return $"{key}@{UpstreamRecord.ResourceVersion(obj)} is not in the view; the view: {Keys(view)}";
            }

            if (listItems)
            {
                // A list's items carry no kind and apiVersion (the list has them).
                want = (JsonObject)want.DeepClone();
                want.Remove("kind");
                want.Remove("apiVersion");
            }

            if (!JsonNode.DeepEquals(obj, want))
            {
                return $"{key} differs:\n  got      {Json(obj)}\n  expected {Json(want)}";
            }
        }

        var missing = view.Keys.Where(k => !seen.Contains(k)).ToList();
        return missing.Count == 0 ? null : $"missing {string.Join(", ", missing.Select(k => k + "@" + UpstreamRecord.ResourceVersion(view[k]).ToString(CultureInfo.InvariantCulture)))}; got {seen.Count} of {view.Count}";
    }

    /// <summary>A cut-short initial part: ADDED events of objects of the view, each once.</summary>
    private static string? SubsetOf(List<JsonObject> events, Dictionary<string, JsonObject> view)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in events)
        {
            var (type, obj) = Unwrap(item);
            var key = UpstreamRecord.KeyOf(obj);
            if (type != "ADDED" || !seen.Add(key) || !view.TryGetValue(key, out var want) || !JsonNode.DeepEquals(obj, want))
            {
                return $"{type} {key}@{(string?)obj["metadata"]?["resourceVersion"]} does not belong to the view {Keys(view)}";
            }
        }

        return null;
    }

    /// <summary>A watch event's type and object; a listed item counts as ADDED.</summary>
    private static (string? Type, JsonObject Object) Unwrap(JsonObject item) =>
        item["type"] is not null && item["object"] is JsonObject inner ? ((string?)item["type"], inner) : ("ADDED", item);

    private static string Keys(Dictionary<string, JsonObject> view) =>
        "{" + string.Join(", ", view.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "@" + UpstreamRecord.ResourceVersion(kv.Value).ToString(CultureInfo.InvariantCulture))) + "}";

    private static string Describe(RecordedChange change) =>
        string.Create(CultureInfo.InvariantCulture, $"{change.Type} {change.Key}@{change.Revision}");

    private static string Json(JsonNode node)
    {
        var text = node.ToJsonString();
        return text.Length <= MaxJsonInMessage ? text : text[..MaxJsonInMessage] + "...";
    }

    /// <summary>The watcher's requests around the failing one, with their events in short form.</summary>
    private static string History(IReadOnlyList<WatchSegment> segments, int failing)
    {
        var text = new StringBuilder();
        for (var i = Math.Max(0, failing - 3); i <= failing; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  [{i}] {segments[i]}: ");
            text.AppendJoin(" ", segments[i].Events.Take(60).Select(e => (string?)e["type"] + ":" + UpstreamRecord.KeyOf(e["object"]!) + "@" + (string?)e["object"]!["metadata"]?["resourceVersion"]));
            text.Append('\n');
        }

        return text.ToString();
    }
}
