using System.Globalization;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Generates the seeded ConfigMaps: ConfigMap j of a namespace is <c>&lt;workload j&gt;-config</c>, the one
/// the pods of workload j mount, with a few data keys (sorted, as the apiserver writes a map).
/// </summary>
internal sealed class ConfigMapGenerator
{
    private const int MaxAgeSeconds = 30 * 24 * 3600;

    private static readonly string[] LogLevels = ["debug", "info", "info", "warn"];

    private readonly SeedOptions _options;
    private readonly ClusterLayout _layout;
    private readonly SeedJsonWriter _writer;
    private readonly DateTime _now;
    private readonly SeedRandom _random = new();

    /// <summary>Creates the generator; <paramref name="now"/> is the seeding time (second precision).</summary>
    public ConfigMapGenerator(SeedOptions options, ClusterLayout layout, SeedJsonWriter writer, DateTime now)
    {
        _options = options;
        _layout = layout;
        _writer = writer;
        _now = now;
    }

    /// <summary>Generates configmap <paramref name="index"/>.</summary>
    public GeneratedObject Generate(int index)
    {
        var namespaceIndex = index % _layout.Namespaces.Count;
        var ns = _layout.Namespaces[namespaceIndex];
        var (workloadName, profile) = ClusterLayout.Workload(index / _layout.Namespaces.Count);
        var name = workloadName + "-config";
        _random.Reset(_options.Seed, SeedStream.ConfigMap, index);

        var json = _writer.Json;
        _writer.Begin("ConfigMap"u8, "v1"u8, name);
        json.WriteString("namespace"u8, ns);
        _writer.WriteUid("uid"u8, _random);
        _writer.WriteTime("creationTimestamp"u8, _now.AddSeconds(-_random.Next(MaxAgeSeconds)));
        json.WriteStartObject("labels"u8);
        json.WriteString("app"u8, profile.App);
        json.WriteString("team"u8, ClusterLayout.TeamOf(namespaceIndex));
        json.WriteEndObject();
        json.WriteEndObject(); // metadata

        var port = profile.Ports.Count > 0 ? profile.Ports[0].Port : 8080;
        var logLevel = LogLevels[_random.Next(LogLevels.Length)];
        json.WriteStartObject("data"u8);
        json.WriteString("FEATURE_FLAGS"u8, _random.Percent(50) ? "new-checkout,fast-search" : "fast-search");
        json.WriteString("LOG_LEVEL"u8, logLevel);
        json.WriteString("app.properties"u8, string.Create(
            CultureInfo.InvariantCulture,
            $"server.port={port}\nlog.level={logLevel}\ncache.ttl.seconds={60 * (1 + _random.Next(10))}\npool.size={4 << _random.Next(4)}\nretry.max={1 + _random.Next(5)}\n"));
        json.WriteEndObject();
        return new GeneratedObject(ns, name, _writer.Finish());
    }
}
