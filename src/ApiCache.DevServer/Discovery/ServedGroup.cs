namespace ApiCache.DevServer.Discovery;

/// <summary>One served API group with its versions, most preferred first.</summary>
/// <param name="Name">The group name; empty for the core group.</param>
/// <param name="Versions">Its versions, ordered by <see cref="KubeVersionComparer"/>; never empty.</param>
internal sealed record ServedGroup(string Name, IReadOnlyList<ServedGroupVersion> Versions)
{
    /// <summary>The preferred version: the first one.</summary>
    public ServedGroupVersion Preferred => Versions[0];
}
