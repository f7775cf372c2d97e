using System.Globalization;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// The ground truth of a run: every change to pods the upstream (the dev server) produced after
/// <see cref="StartRevision"/>, in revision order, read from a direct unfiltered watch on it. From
/// it the checker computes the state at any revision and the changes after it.
/// </summary>
internal sealed class UpstreamRecord(long startRevision)
{
    private readonly Lock _gate = new();
    private readonly List<RecordedChange> _changes = [];
    private long _lastRevision = startRevision;

    /// <summary>The revision the record starts at (no pods exist then).</summary>
    public long StartRevision { get; } = startRevision;

    /// <summary>The highest revision the direct watch has reported (changes and bookmarks).</summary>
    public long LastRevision => Interlocked.Read(ref _lastRevision);

    /// <summary>A copy of the changes so far.</summary>
    public IReadOnlyList<RecordedChange> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>Records one event of the direct watch; returns an error text when it breaks the record's order.</summary>
    public string? Add(JsonObject watchEvent)
    {
        var type = (string)watchEvent["type"]!;
        var obj = (JsonObject)watchEvent["object"]!;
        var revision = ResourceVersion(obj);
        if (revision <= LastRevision && type != "BOOKMARK")
        {
            return $"the direct watch went back: {type} at {revision} after {LastRevision}";
        }

        if (type is "ADDED" or "MODIFIED" or "DELETED")
        {
            lock (_gate)
            {
                _changes.Add(new RecordedChange(revision, type, KeyOf(obj), obj));
            }
        }
        else if (type != "BOOKMARK")
        {
            return "the direct watch sent " + watchEvent.ToJsonString();
        }

        if (revision > LastRevision)
        {
            Interlocked.Exchange(ref _lastRevision, revision);
        }

        return null;
    }

    /// <summary>The resourceVersion of an object.</summary>
    public static long ResourceVersion(JsonNode obj) =>
        long.Parse((string)obj["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);

    /// <summary>An object's key: namespace/name.</summary>
    public static string KeyOf(JsonNode obj) => (string?)obj["metadata"]?["namespace"] + "/" + (string?)obj["metadata"]?["name"];
}
