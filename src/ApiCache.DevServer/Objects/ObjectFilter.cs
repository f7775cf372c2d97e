using System.Text.Json.Nodes;
using ApiCache.DevServer.Resources;
using ApiCache.Requests;
using ApiCache.Serving;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// The label and field selectors of a LIST or WATCH, validated for the resource (unsupported
/// fields answer the apiserver's 400) and applied to objects.
/// </summary>
internal sealed class ObjectFilter
{
    private ObjectFilter()
    {
    }

    /// <summary>True when both selectors are empty.</summary>
    public bool IsEverything { get; private init; } = true;

    /// <summary>Builds the filter; null and a 400 error when a selector is malformed or names an unsupported field.</summary>
    public static ObjectFilter? Create(ListOptions options, ResourceDefinition resource, out StatusError? error)
    {
        error = null;
        if (options.LabelSelector.Length == 0 && options.FieldSelector.Length == 0)
        {
            return new ObjectFilter();
        }

        error = StatusError.BadRequest("selectors are not supported yet");
        _ = resource;
        return null;
    }

    /// <summary>True when <paramref name="obj"/> passes both selectors.</summary>
    public bool Matches(JsonObject obj) => IsEverything || obj is null;

    /// <summary>The filter as a predicate for <see cref="ResourceStore.ListAsync"/>: null when it lets everything through.</summary>
    public Func<JsonObject, bool>? AsPredicate() => IsEverything ? null : Matches;
}
