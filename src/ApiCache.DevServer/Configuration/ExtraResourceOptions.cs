namespace ApiCache.DevServer.Configuration;

/// <summary>
/// An extra resource the dev server serves as generic JSON, like a CustomResourceDefinition
/// (configuration section <c>DevServer:ExtraResources</c>).
/// </summary>
public sealed class ExtraResourceOptions
{
    /// <summary>API group, e.g. example.com (required, not empty: the core group is built in).</summary>
    public string Group { get; set; } = "";

    /// <summary>API version, e.g. v1.</summary>
    public string Version { get; set; } = "v1";

    /// <summary>Plural resource name, e.g. widgets.</summary>
    public string Resource { get; set; } = "";

    /// <summary>Singular name; defaults to the kind in lower case.</summary>
    public string? Singular { get; set; }

    /// <summary>Kind, e.g. Widget.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Namespaced (true, the default) or cluster-scoped.</summary>
    public bool Namespaced { get; set; } = true;

    /// <summary>kubectl short names.</summary>
    public IList<string> ShortNames { get; } = [];

    /// <summary>Categories (e.g. all).</summary>
    public IList<string> Categories { get; } = [];

    /// <summary>Whether the resource has a status subresource (default true, like most CRDs).</summary>
    public bool HasStatus { get; set; } = true;
}
