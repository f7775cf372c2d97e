using System.Text;
using ApiCache.Caching;
using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Tests.Watch;

/// <summary>Pods for the watch unit tests: the pods resource definition and small pods decoded as the reflector decodes them.</summary>
internal static class WatchTestPods
{
    public static readonly ObjectSchema Schema = ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]);

    private static readonly ObjectDecoder Decoder = new(Schema, namespaced: true);

    public static CachedResourceDefinition Definition(int historyMaxEvents = 1000, long maxBytes = long.MaxValue) => new()
    {
        Group = "",
        Version = "v1",
        Resource = "pods",
        Kind = "Pod",
        Namespaced = true,
        IsCustomResource = false,
        Schema = Schema,
        FieldConversion = FieldLabelConversion.Pods,
        HistoryWindow = TimeSpan.FromMinutes(5),
        HistoryMaxEvents = historyMaxEvents,
        MaxBytes = maxBytes,
        EtcdKeyPrefix = "/registry/pods/",
    };

    /// <summary>A pod in list-item form.</summary>
    public static CachedObject Pod(string name, long resourceVersion, string node = "", string app = "", string ns = "ns") =>
        Decode(Json(name, resourceVersion, node, app, ns));

    public static string Json(string name, long resourceVersion, string node = "", string app = "", string ns = "ns")
    {
        var labels = app.Length == 0 ? "" : ",\"labels\":{\"app\":\"" + app + "\"}";
        var nodeName = node.Length == 0 ? "" : "\"nodeName\":\"" + node + "\",";
        return "{\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\",\"uid\":\"uid-" + ns + "-" + name
            + "\",\"resourceVersion\":\"" + resourceVersion + "\"" + labels + "},"
            + "\"spec\":{" + nodeName + "\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]},\"status\":{\"phase\":\"Pending\"}}";
    }

    public static CachedObject Decode(string json) => Decode(Encoding.UTF8.GetBytes(json), Decoder);

    public static CachedObject Decode(byte[] json, ObjectDecoder decoder)
    {
        Assert.True(decoder.TryDecode(json, out var cachedObject, out var error), error);
        return cachedObject;
    }
}
