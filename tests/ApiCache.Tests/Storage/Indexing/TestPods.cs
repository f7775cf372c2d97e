using System.Text;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Indexing;

/// <summary>Builds cached pods directly with the <see cref="CachedObject"/> constructor, for store and index tests.</summary>
internal static class TestPods
{
    /// <summary>Pods extract spec.nodeName (indexed) and status.phase.</summary>
    public static ObjectSchema Schema { get; } = new(["spec.nodeName", "status.phase"], ["spec.nodeName"]);

    /// <summary>A pod; labels are given as key, value pairs in any order.</summary>
    public static CachedObject Pod(string ns, string name, string node = "", string phase = "Running", long resourceVersion = 1, params (string Key, string Value)[] labels) =>
        Pod(new ObjectKey(ns, name), node, phase, resourceVersion, labels);

    /// <summary>A pod with the given key.</summary>
    public static CachedObject Pod(ObjectKey key, string node, string phase, long resourceVersion, (string Key, string Value)[] labels)
    {
        var sorted = labels
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .Select(l => KeyValuePair.Create(l.Key, l.Value))
            .ToArray();
        var json = Encoding.UTF8.GetBytes($"{{\"metadata\":{{\"name\":\"{key.Name}\",\"namespace\":\"{key.Namespace}\",\"resourceVersion\":\"{resourceVersion}\"}}}}");
        return new CachedObject(json, key, "uid-" + key, resourceVersion, sorted, [node, phase], Schema);
    }

    /// <summary>The keys of objects, for readable assertions.</summary>
    public static string[] Keys(IEnumerable<CachedObject> objects) => [.. objects.Select(o => o.Key.ToString())];

    /// <summary>The objects from a cursor to its end.</summary>
    public static List<CachedObject> Drain(ObjectCursor cursor)
    {
        var items = new List<CachedObject>();
        for (; cursor.Current is not null; cursor.MoveNext())
        {
            items.Add(cursor.Current);
        }

        return items;
    }
}
