using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// Every discovery and OpenAPI body the dev server answers, built once from the
/// <see cref="ResourceCatalog"/> at start-up (the catalog does not change while the server runs).
/// Groups are listed in the order the catalog first names them (built-ins, then extra
/// resources), versions most preferred first, resources sorted by name.
/// </summary>
internal sealed class DiscoveryDocuments
{
    private const string Json = "application/json";

    private readonly Dictionary<string, DiscoveryBody> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DiscoveryBody> _resourceLists = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DiscoveryBody> _openApiV3 = new(StringComparer.Ordinal);
    private readonly Dictionary<DiscoveryFormat, DiscoveryBody> _aggregatedApi = [];
    private readonly Dictionary<DiscoveryFormat, DiscoveryBody> _aggregatedApis = [];

    /// <summary>Builds the documents of <paramref name="catalog"/>; <paramref name="lastModified"/> defaults to now.</summary>
    public DiscoveryDocuments(ResourceCatalog catalog, ServerVersionInfo? version = null, DateTimeOffset? lastModified = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var now = lastModified ?? DateTimeOffset.UtcNow;

        // HTTP dates have whole seconds; If-Modified-Since compares against this value.
        LastModified = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var groups = BuildGroups(catalog);
        CoreGroup = groups.FirstOrDefault(g => g.Name.Length == 0);
        NamedGroups = [.. groups.Where(g => g.Name.Length > 0)];

        version ??= ServerVersionInfo.Current;
        Version = new DiscoveryBody(version.ToJson(), Json);
        var openApiVersion = $"{version.Major}.{version.Minor}";
        var v2Json = OpenApiV2Writer.Json(openApiVersion);
        OpenApiV2Json = new DiscoveryBody(v2Json, Json, DiscoveryJson.Hash(v2Json));
        var v2Protobuf = OpenApiV2Writer.Protobuf(openApiVersion);
        OpenApiV2Protobuf = new DiscoveryBody(v2Protobuf, OpenApiV2Writer.ProtobufContentType, DiscoveryJson.Hash(v2Protobuf));
        GroupList = new DiscoveryBody(LegacyDiscoveryWriter.GroupList(NamedGroups), Json);
        foreach (var group in NamedGroups)
        {
            _groups[group.Name] = new DiscoveryBody(LegacyDiscoveryWriter.Group(group), Json);
        }

        var openApiIndex = new List<(string Path, string Hash)>();
        foreach (var groupVersion in groups.SelectMany(g => g.Versions))
        {
            _resourceLists[groupVersion.ApiPath] = new DiscoveryBody(LegacyDiscoveryWriter.ResourceList(groupVersion), Json);
            var document = OpenApiV3Writer.GroupVersion(groupVersion);
            var hash = DiscoveryJson.Hash(document);
            _openApiV3[groupVersion.ApiPath] = new DiscoveryBody(document, Json, hash);
            openApiIndex.Add((groupVersion.ApiPath, hash));
        }

        // The apiserver sends the index as text/plain (fixture 01-discovery-openapi-v3-index).
        OpenApiV3Index = new DiscoveryBody(OpenApiV3Writer.Index(openApiIndex), "text/plain; charset=utf-8");

        foreach (var format in new[] { DiscoveryFormat.AggregatedV2, DiscoveryFormat.AggregatedV2Beta1 })
        {
            _aggregatedApi[format] = Aggregated(CoreGroup is null ? [] : [CoreGroup], format);
            _aggregatedApis[format] = Aggregated(NamedGroups, format);
        }
    }

    /// <summary>The core group (<c>/api</c>), or null when the catalog serves none of it.</summary>
    public ServedGroup? CoreGroup { get; }

    /// <summary>The named groups (<c>/apis</c>), in discovery order.</summary>
    public IReadOnlyList<ServedGroup> NamedGroups { get; }

    /// <summary>When the documents were built (whole seconds): Last-Modified of the OpenAPI documents.</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary><c>/version</c>.</summary>
    public DiscoveryBody Version { get; }

    /// <summary><c>/apis</c> without aggregated discovery: the APIGroupList.</summary>
    public DiscoveryBody GroupList { get; }

    /// <summary><c>/openapi/v2</c> as JSON: a Swagger 2.0 document without paths or definitions (see <see cref="OpenApiV2Writer"/>).</summary>
    public DiscoveryBody OpenApiV2Json { get; }

    /// <summary><c>/openapi/v2</c> as protobuf, what client-go asks for.</summary>
    public DiscoveryBody OpenApiV2Protobuf { get; }

    /// <summary><c>/openapi/v3</c>: the index of the per-group-version documents.</summary>
    public DiscoveryBody OpenApiV3Index { get; }

    /// <summary>
    /// <c>/api</c> without aggregated discovery: APIVersions naming <paramref name="serverAddress"/>
    /// (host:port the client reached). Built per call: the address is only known per connection.
    /// </summary>
    public DiscoveryBody ApiVersions(string serverAddress) =>
        new(LegacyDiscoveryWriter.ApiVersions(CoreGroup?.Versions.Select(v => v.Version) ?? [], serverAddress), Json);

    /// <summary><c>/apis/{group}</c>, or null for a group that is not served.</summary>
    public DiscoveryBody? Group(string group) => _groups.GetValueOrDefault(group);

    /// <summary>
    /// The APIResourceList of <c>/api/v1</c> (<paramref name="group"/> empty) or
    /// <c>/apis/{group}/{version}</c>, or null for a group/version that is not served.
    /// </summary>
    public DiscoveryBody? ResourceList(string group, string version) =>
        _resourceLists.GetValueOrDefault(group.Length == 0 ? "api/" + version : $"apis/{group}/{version}");

    /// <summary>The aggregated document of <c>/api</c> (core) or <c>/apis</c> (named groups) in an aggregated <paramref name="format"/>.</summary>
    public DiscoveryBody Aggregated(bool core, DiscoveryFormat format) =>
        (core ? _aggregatedApi : _aggregatedApis).TryGetValue(format, out var body)
            ? body
            : throw new ArgumentOutOfRangeException(nameof(format), format, "not an aggregated discovery format");

    /// <summary>The OpenAPI v3 document at <c>/openapi/v3/{path}</c> (e.g. <c>api/v1</c>, <c>apis/apps/v1</c>); its ETag is its hash.</summary>
    public DiscoveryBody? OpenApiV3(string path) => _openApiV3.GetValueOrDefault(path);

    private static DiscoveryBody Aggregated(IEnumerable<ServedGroup> groups, DiscoveryFormat format)
    {
        var content = AggregatedDiscoveryWriter.Write(groups, DiscoveryNegotiation.ApiVersion(format));
        return new DiscoveryBody(content, DiscoveryNegotiation.ContentType(format), DiscoveryJson.Hash(content));
    }

    private static List<ServedGroup> BuildGroups(ResourceCatalog catalog) =>
        [.. catalog.Resources
            .GroupBy(r => r.Group, StringComparer.Ordinal)
            .Select(group => new ServedGroup(
                group.Key,
                [.. group
                    .GroupBy(r => r.Version, StringComparer.Ordinal)
                    .OrderBy(v => v.Key, KubeVersionComparer.Instance)
                    .Select(v => new ServedGroupVersion(group.Key, v.Key, [.. v.OrderBy(r => r.Resource, StringComparer.Ordinal)]))]))];
}
