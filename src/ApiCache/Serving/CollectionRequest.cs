using ApiCache.Requests;
using ApiCache.Selectors;

namespace ApiCache.Serving;

/// <summary>
/// The options of a LIST or WATCH of a cached resource, validated as the apiserver validates them:
/// the list options and the selectors, checked against the fields the resource supports.
/// </summary>
/// <param name="Options">resourceVersion, match, limit, continue, watch options.</param>
/// <param name="Selectors">The label and field selectors.</param>
internal sealed record CollectionRequest(ListOptions Options, ListSelectors Selectors)
{
    /// <summary>Parses the request's query; null when it is invalid, after answering the apiserver's 400/422 Status.</summary>
    public static async Task<CollectionRequest?> ParseAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var context = read.Context;
        var options = ListOptionsParser.Parse(context.Request.Query, out var invalid);
        if (options is null)
        {
            await CacheAnswer.WriteErrorAsync(context, invalid!);
            return null;
        }

        if (!ListSelectors.TryParse(options.LabelSelector, options.FieldSelector, read.Resource.Definition.FieldConversion, out var selectors, out var badSelector))
        {
            await CacheAnswer.WriteErrorAsync(context, badSelector!);
            return null;
        }

        return new CollectionRequest(options, selectors);
    }
}
