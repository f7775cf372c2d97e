using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Discovery;

/// <summary>One served group/version and its resources, sorted by name as discovery lists them.</summary>
/// <param name="Group">The group; empty for the core group.</param>
/// <param name="Version">The version, e.g. v1.</param>
/// <param name="Resources">Its resources, sorted by plural name (ordinal).</param>
internal sealed record ServedGroupVersion(string Group, string Version, IReadOnlyList<ResourceDefinition> Resources)
{
    /// <summary><c>group/version</c>, or the version alone for the core group.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The path below the server root without the leading slash: <c>api/v1</c> or <c>apis/apps/v1</c>.</summary>
    public string ApiPath => Group.Length == 0 ? "api/" + Version : $"apis/{Group}/{Version}";
}
