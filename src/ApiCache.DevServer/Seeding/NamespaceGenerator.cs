namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Generates Namespace objects as the apiserver stores them: the automatic
/// <c>kubernetes.io/metadata.name</c> label, the <c>kubernetes</c> finalizer, phase Active.
/// Seeded namespaces also carry a <c>team</c> label.
/// </summary>
internal sealed class NamespaceGenerator
{
    private const int SystemAgeSeconds = 45 * 24 * 3600;
    private const int SeededAgeSeconds = 40 * 24 * 3600;

    private readonly SeedOptions _options;
    private readonly ClusterLayout _layout;
    private readonly SeedJsonWriter _writer;
    private readonly DateTime _now;
    private readonly SeedRandom _random = new();

    /// <summary>Creates the generator; <paramref name="now"/> is the seeding time (second precision).</summary>
    public NamespaceGenerator(SeedOptions options, ClusterLayout layout, SeedJsonWriter writer, DateTime now)
    {
        _options = options;
        _layout = layout;
        _writer = writer;
        _now = now;
    }

    /// <summary>Generates built-in namespace <paramref name="index"/> of <see cref="ClusterLayout.SystemNamespaces"/>.</summary>
    public GeneratedObject GenerateSystem(int index)
    {
        _random.Reset(_options.Seed, SeedStream.Namespace, -1 - index);
        return Generate(ClusterLayout.SystemNamespaces[index], team: null, _now.AddSeconds(-SystemAgeSeconds));
    }

    /// <summary>Generates seeded namespace <paramref name="index"/> (<c>ns-N</c>).</summary>
    public GeneratedObject Generate(int index)
    {
        _random.Reset(_options.Seed, SeedStream.Namespace, index);
        return Generate(_layout.Namespaces[index], ClusterLayout.TeamOf(index), _now.AddSeconds(-SeededAgeSeconds + index));
    }

    private GeneratedObject Generate(string name, string? team, DateTime created)
    {
        var json = _writer.Json;
        _writer.Begin("Namespace"u8, "v1"u8, name);
        _writer.WriteUid("uid"u8, _random);
        _writer.WriteTime("creationTimestamp"u8, created);
        json.WriteStartObject("labels"u8);
        json.WriteString("kubernetes.io/metadata.name"u8, name);
        if (team is not null)
        {
            json.WriteString("team"u8, team);
        }

        json.WriteEndObject();
        json.WriteEndObject(); // metadata
        json.WriteStartObject("spec"u8);
        json.WriteStartArray("finalizers"u8);
        json.WriteStringValue("kubernetes"u8);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("status"u8);
        json.WriteString("phase"u8, "Active"u8);
        json.WriteEndObject();
        return new GeneratedObject(null, name, _writer.Finish());
    }
}
