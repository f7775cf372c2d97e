using System.Text;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.History;

/// <summary>Builds cached objects and watch cache events for the history tests.</summary>
internal static class HistoryObjects
{
    /// <summary>A cached object <paramref name="name"/> in namespace "ns" at <paramref name="resourceVersion"/>, with a body of <paramref name="padding"/> extra bytes.</summary>
    public static CachedObject Object(string name, long resourceVersion, int padding = 0)
    {
        var json = Encoding.UTF8.GetBytes(
            $$"""{"metadata":{"name":"{{name}}","namespace":"ns","resourceVersion":"{{resourceVersion}}"},"pad":"{{new string('x', padding)}}"}""");
        return new CachedObject(json, new ObjectKey("ns", name), "uid-" + name, resourceVersion, [], [], ObjectSchema.Empty);
    }

    /// <summary>An ADDED event for a new object.</summary>
    public static WatchCacheEvent Added(string name, long resourceVersion, TimeProvider time) =>
        new(WatchEventType.Added, Object(name, resourceVersion), null, resourceVersion, time.GetUtcNow());

    /// <summary>A MODIFIED event replacing <paramref name="previous"/>.</summary>
    public static WatchCacheEvent Modified(CachedObject previous, long resourceVersion, TimeProvider time) =>
        new(WatchEventType.Modified, Object(previous.Name, resourceVersion), previous, resourceVersion, time.GetUtcNow());

    /// <summary>A DELETED event for <paramref name="previous"/>, its final state stamped with the deletion's RV.</summary>
    public static WatchCacheEvent Deleted(CachedObject previous, long resourceVersion, TimeProvider time) =>
        new(WatchEventType.Deleted, Object(previous.Name, resourceVersion), previous, resourceVersion, time.GetUtcNow());
}
