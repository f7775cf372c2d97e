using ApiCache.Consistency;
using ApiCache.Requests;
using ApiCache.Storage;

namespace ApiCache.Serving;

/// <summary>
/// LIST from the cache with the apiserver's resourceVersion rules (DESIGN.md's table, the fixtures):
/// unset = consistent (wait for the current revision, else fall back); "0" = the cache as it is,
/// limit ignored; "N" = not older than N (wait, else forward); Exact (or the legacy form: N with a
/// limit) = the state at N from the history, else forward. <c>limit</c>/<c>continue</c> page in key
/// order with tokens that pin the first page's revision; a page whose revision the history no
/// longer covers is forwarded, so the upstream answers it (or its 410) exactly.
/// </summary>
internal sealed class ListResponder(CacheReadMetrics metrics, ReadFallback fallback)
{
    /// <summary>Serves the LIST.</summary>
    public async Task ServeAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var context = read.Context;
        if (await CollectionRequest.ParseAsync(read) is not (var options, var selectors))
        {
            return;
        }

        var definition = read.Resource.Definition;
        var query = new StoreQuery { Namespace = read.Namespace, LabelSelector = selectors.Labels, FieldSelector = selectors.Fields };
        var limit = (int)Math.Clamp(options.Limit, 0, int.MaxValue);
        var path = ReadPath.CacheFresh;
        long? pinned = null;
        if (!ContinueToken.TryFromListOptions(options, out var token, out var badToken))
        {
            await CacheAnswer.WriteErrorAsync(context, badToken!);
            return;
        }

        if (token is not null)
        {
            if (!TryStartKey(token.Start, read, out var startAfter))
            {
                await fallback.ForwardAsync(read, ReadPath.Forwarded);
                return;
            }

            query = query with { StartAfter = startAfter };
            if (token.ResourceVersion > 0)
            {
                pinned = token.ResourceVersion;
            }
            else if (await fallback.WaitForCurrentAsync(read) is not ReadPath fresh)
            {
                return;
            }
            else
            {
                path = fresh;
            }
        }
        else if (options.ResourceVersionNumber is not ulong requested)
        {
            if (await fallback.WaitForCurrentAsync(read) is not ReadPath fresh)
            {
                return;
            }

            path = fresh;
        }
        else if (options.IsAnyRecent)
        {
            limit = 0; // the apiserver answers resourceVersion=0 from its cache and ignores the limit
        }
        else
        {
            if (await fallback.WaitForOrForwardAsync(read, (long)requested) is not ReadPath reached)
            {
                return;
            }

            path = reached;
            if (options.ReadsExactRevision)
            {
                pinned = (long)requested;
            }
        }

        query = query with { Limit = limit };
        var items = new List<CachedObject>(limit is > 0 and < 4096 ? limit : 64);
        StoreQueryResult result;
        long resourceVersion;
        var cache = read.Resource.Cache;
        if (pinned is long at)
        {
            if (at > cache.ResourceVersion && await fallback.WaitForOrForwardAsync(read, at) is null)
            {
                return;
            }

            if (!cache.TryQueryAt(at, query, items, out result))
            {
                // The history no longer covers that revision: the upstream may still (etcd keeps more), or answers 410.
                await fallback.ForwardAsync(read, ReadPath.Forwarded);
                return;
            }

            resourceVersion = at;
        }
        else
        {
            result = cache.Query(query, items, out resourceVersion);
        }

        var type = cache.TypeInfo!;
        string? continueToken = null;
        if (result.HasMore && items.Count > 0)
        {
            var last = items[^1].Key;
            continueToken = ContinueToken.After(resourceVersion, read.Namespace is null ? last.ToString() : last.Name, leadingSlash: true).Encode();
        }

        metrics.Read(read.DisplayName, "list", path);
        await CachedListWriter.WriteAsync(context, type, definition.IsCustomResource, items, resourceVersion, continueToken, result.HasMore ? result.RemainingItemCount : null);
    }

    /// <summary>
    /// The key a continue token resumes after: its start is relative to the listed collection
    /// (<c>team-a/web-0</c> across namespaces, <c>web-0</c> within one) and ends in NUL.
    /// </summary>
    private static bool TryStartKey(string start, CachedRead read, out ObjectKey startAfter)
    {
        startAfter = default;
        if (!start.EndsWith('\0'))
        {
            return false;
        }

        var key = start[..^1];
        if (read.Namespace is not null || !read.Resource.Definition.Namespaced)
        {
            if (key.Contains('/', StringComparison.Ordinal))
            {
                return false;
            }

            startAfter = new ObjectKey(read.Namespace ?? "", key);
            return true;
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            return false;
        }

        startAfter = new ObjectKey(key[..slash], key[(slash + 1)..]);
        return true;
    }
}
