using System.Text;

namespace ApiCache.Security;

/// <summary>
/// What an authorizer decides on, as the apiserver's <c>authorizer.Attributes</c> and a
/// SubjectAccessReview's spec carry it: the user, the verb, and either a resource (API group,
/// version, resource, subresource, namespace, name, field and label selector requirements) or a
/// non-resource path.
/// </summary>
internal sealed record AccessReviewAttributes
{
    /// <summary>Who asks.</summary>
    public required UserInfo User { get; init; }

    /// <summary>get, list, watch, create, ..., impersonate; for a non-resource request the lower-cased HTTP method.</summary>
    public required string Verb { get; init; }

    /// <summary>A resource request (true) or a non-resource path (false).</summary>
    public bool IsResourceRequest { get; init; } = true;

    /// <summary>The API group; empty for the core group.</summary>
    public string Group { get; init; } = "";

    /// <summary>The API version (the apiserver sends it; authorizers mostly ignore it).</summary>
    public string Version { get; init; } = "";

    /// <summary>The resource, e.g. <c>pods</c>.</summary>
    public string Resource { get; init; } = "";

    /// <summary>The subresource, e.g. <c>status</c>.</summary>
    public string Subresource { get; init; } = "";

    /// <summary>The namespace; empty at the cluster scope.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The object name; for list/watch with a <c>metadata.name=</c> field selector, that name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Field selector requirements (selector-aware authorization); empty when none.</summary>
    public IReadOnlyList<SelectorRequirement> FieldSelector { get; init; } = [];

    /// <summary>Label selector requirements (selector-aware authorization); empty when none.</summary>
    public IReadOnlyList<SelectorRequirement> LabelSelector { get; init; } = [];

    /// <summary>The path of a non-resource request, e.g. <c>/metrics</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary>
    /// A string that differs whenever any attribute differs (user, uid, groups in order, extra,
    /// verb, resource coordinates, selectors, path): the key of cached decisions.
    /// </summary>
    public string CacheKey()
    {
        var key = new StringBuilder(128);
        void Add(string value) => key.Append(value.Length).Append(':').Append(value);
        Add(User.Name);
        Add(User.Uid);
        key.Append('g').Append(User.Groups.Count);
        foreach (var group in User.Groups)
        {
            Add(group);
        }

        key.Append('x').Append(User.Extra.Count);
        foreach (var (name, values) in User.Extra.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            Add(name);
            key.Append(values.Count);
            foreach (var value in values)
            {
                Add(value);
            }
        }

        Add(Verb);
        key.Append(IsResourceRequest ? 'r' : 'n');
        Add(Group);
        Add(Version);
        Add(Resource);
        Add(Subresource);
        Add(Namespace);
        Add(Name);
        Add(Path);
        foreach (var (tag, requirements) in new[] { ('f', FieldSelector), ('l', LabelSelector) })
        {
            key.Append(tag).Append(requirements.Count);
            foreach (var requirement in requirements)
            {
                Add(requirement.Key);
                Add(requirement.Operator);
                key.Append(requirement.Values.Count);
                foreach (var value in requirement.Values)
                {
                    Add(value);
                }
            }
        }

        return key.ToString();
    }
}
