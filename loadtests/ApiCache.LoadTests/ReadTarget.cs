namespace ApiCache.LoadTests;

/// <summary>Where a scenario's requests go: through the sidecar or straight to the dev server, with resourceVersion unset or 0.</summary>
internal sealed record ReadTarget(string Name, bool ViaSidecar, bool ResourceVersionZero)
{
    /// <summary>The three targets of every scenario, in the order they run.</summary>
    public static IReadOnlyList<ReadTarget> All { get; } =
    [
        new("sidecar, RV unset (consistent)", ViaSidecar: true, ResourceVersionZero: false),
        new("sidecar, resourceVersion=0", ViaSidecar: true, ResourceVersionZero: true),
        new("direct to dev server", ViaSidecar: false, ResourceVersionZero: false),
    ];

    /// <summary>The request path for this target.</summary>
    public string PathFor(string path) =>
        ResourceVersionZero ? path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "resourceVersion=0" : path;
}
