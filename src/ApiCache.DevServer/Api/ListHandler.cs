using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Storage;
using ApiCache.Requests;
using ApiCache.Serving;

namespace ApiCache.DevServer.Api;

/// <summary>
/// LIST with the apiserver's resourceVersion rules (DESIGN.md's table, and the fixtures): unset =
/// latest; "0" = latest, limit ignored; "N" not-older-than waits for N (504 after the bounded
/// wait); Exact (or legacy: N with a limit) reads at N (410 when compacted); continue tokens pin
/// the first page's revision (410 with an rv=-1 token when compacted).
/// </summary>
internal sealed class ListHandler(ResourceStore objects, RevisionGate gate)
{
    /// <summary>The apiserver's message for an expired continue token.</summary>
    internal const string ContinueExpiredMessage =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(ResourceRequest request)
    {
        var context = request.Context;
        var options = ListOptionsParser.Parse(context.Request.Query, out var invalid);
        if (options is null)
        {
            await ApiResponses.WriteErrorAsync(context, invalid!);
            return;
        }

        var filter = ObjectFilter.Create(options, request.Resource, out var badSelector);
        if (filter is null)
        {
            await ApiResponses.WriteErrorAsync(context, badSelector!);
            return;
        }

        var prefix = request.CollectionPrefix;
        long revision = 0;
        string? startKey = null;
        var limit = options.Limit;
        if (!ContinueToken.TryFromListOptions(options, out var token, out var badToken))
        {
            await ApiResponses.WriteErrorAsync(context, badToken!);
            return;
        }

        if (token is not null)
        {
            revision = token.ResourceVersion < 0 ? 0 : token.ResourceVersion;
            startKey = prefix + token.Start;
        }
        else if (options.ResourceVersionNumber is ulong rv)
        {
            if (options.IsAnyRecent)
            {
                limit = 0; // the apiserver answers rv=0 from its cache and ignores the limit
            }
            else if (await gate.WaitForAsync((long)rv, request.Aborted) is StatusError tooLarge)
            {
                await ApiResponses.WriteErrorAsync(context, tooLarge);
                return;
            }
            else if (options.ReadsExactRevision)
            {
                revision = (long)rv;
            }
        }

        ListPage page;
        try
        {
            page = await objects.ListAsync(request.Resource, prefix, revision, startKey, limit, filter.AsPredicate(), request.Aborted);
        }
        catch (StoreRevisionCompactedException)
        {
            var error = token is not null
                ? new StatusError(410, "Expired", ContinueExpiredMessage) { MetadataContinue = new ContinueToken(-1, token.Start).Encode() }
                : new StatusError(410, "Expired", "The resourceVersion for the provided list is too old.");
            await ApiResponses.WriteErrorAsync(context, error);
            return;
        }

        // The apiserver answers these lists from its watch cache, whose tokens start with '/'
        // (fixtures 02-list-*-limit*, 06-cache-served-list-limit3-token-format); only the rare
        // list it delegates to etcd gets one without.
        var continueToken = page.LastKey is null ? null : ContinueToken.After(page.Revision, page.LastKey, leadingSlash: true).Encode();
        await ListWriter.WriteAsync(context, request.Resource, page.Items, page.Revision, continueToken, page.RemainingItemCount);
    }
}
