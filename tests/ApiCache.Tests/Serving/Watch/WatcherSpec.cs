using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// One watcher of a run: its scope and selectors (as query parameters, and as an independent
/// predicate the checker applies to the recorded states), how it starts, whether it asks for
/// bookmarks, its timeoutSeconds (null: none; short ones make it reconnect from its last
/// resourceVersion as client-go does) and the write after which it starts.
/// </summary>
internal sealed record WatcherSpec(
    int Id,
    string? Namespace,
    string? LabelSelector,
    string? FieldSelector,
    Func<JsonObject, bool> Predicate,
    WatcherStart Start,
    bool Bookmarks,
    int? TimeoutSeconds,
    int StartAfterWrite)
{
    /// <summary>The collection path: cluster-wide or one namespace.</summary>
    public string CollectionPath => Namespace is null ? "/api/v1/pods" : $"/api/v1/namespaces/{Namespace}/pods";

    /// <summary>Whether an object (a state of a pod) is in this watcher's view: namespace and selectors.</summary>
    public bool Matches(JsonObject obj) =>
        (Namespace is null || (string?)obj["metadata"]!["namespace"] == Namespace) && Predicate(obj);

    /// <summary>The selector parameters (with a leading '&amp;' each), for LIST and WATCH alike.</summary>
    public string SelectorQuery()
    {
        var query = new StringBuilder();
        if (LabelSelector is not null)
        {
            query.Append("&labelSelector=").Append(Uri.EscapeDataString(LabelSelector));
        }

        if (FieldSelector is not null)
        {
            query.Append("&fieldSelector=").Append(Uri.EscapeDataString(FieldSelector));
        }

        return query.ToString();
    }

    /// <summary>The watch request's path for a start (<paramref name="resourceVersion"/> null: the start mode's own parameters).</summary>
    public string WatchPath(string? resourceVersion, WatcherStart mode)
    {
        var path = new StringBuilder(CollectionPath).Append("?watch=true").Append(SelectorQuery());
        if (resourceVersion is not null)
        {
            path.Append("&resourceVersion=").Append(resourceVersion);
        }
        else if (mode == WatcherStart.Zero)
        {
            path.Append("&resourceVersion=0");
        }
        else if (mode == WatcherStart.WatchList)
        {
            path.Append("&sendInitialEvents=true&resourceVersionMatch=NotOlderThan");
        }

        if (Bookmarks)
        {
            path.Append("&allowWatchBookmarks=true");
        }

        if (TimeoutSeconds is int timeout)
        {
            path.Append("&timeoutSeconds=").Append(timeout.ToString(CultureInfo.InvariantCulture));
        }

        return path.ToString();
    }

    /// <summary>The LIST a re-list makes (resourceVersion unset: consistent).</summary>
    public string ListPath() => CollectionPath + "?" + SelectorQuery().TrimStart('&');

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"watcher #{Id} [{CollectionPath} label='{LabelSelector}' field='{FieldSelector}' start={Start} bookmarks={Bookmarks} timeoutSeconds={TimeoutSeconds?.ToString(CultureInfo.InvariantCulture) ?? "none"} after write {StartAfterWrite}]");
}
