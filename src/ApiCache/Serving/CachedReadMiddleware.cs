using ApiCache.Caching;
using ApiCache.Requests;
using ApiCache.Watch;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// Answers reads of cached resources from the cache and hands everything else on unchanged. It
/// takes a request only when the cache can answer it exactly: a GET of a collection (list) or of
/// one object of a cached resource and version, with no subresource, in a scope the resource has,
/// accepting plain JSON without a Table or metadata-only rendering. While a resource's initial list
/// is incomplete its LISTs and WATCHes get 429 (a GET is handed on). Watches are served from the
/// cache (<see cref="WatchResponder"/>) unless <c>ApiCache:Watch:Enabled</c> is off.
/// </summary>
internal sealed class CachedReadMiddleware(CacheRegistry registry, ListResponder list, GetResponder get, WatchResponder watch, WatchHub watches, ReadFallback fallback) : IMiddleware
{
    /// <summary>Serves the request from the cache, or calls <paramref name="next"/>.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var read = TryTake(context, next);
        if (read is null)
        {
            return next(context);
        }

        if (!read.Resource.Cache.IsReady)
        {
            return read.Info.Verb == "get" ? fallback.ForwardAsync(read, Consistency.ReadPath.Forwarded) : fallback.RejectColdAsync(read);
        }

        return read.Info.Verb switch
        {
            "list" => list.ServeAsync(read),
            "get" => get.ServeAsync(read),
            "watch" when watches.Options.Enabled => watch.ServeAsync(read),
            _ => next(context),
        };
    }

    /// <summary>The read, when it is one the cache may answer; null to hand the request on.</summary>
    private CachedRead? TryTake(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method))
        {
            return null;
        }

        var info = RequestInfoFeature.Get(context);
        if (!info.IsResourceRequest || info.Subresource.Length > 0 || info.Verb is not ("get" or "list" or "watch")
            || !registry.TryGet(info.ApiGroup, info.Resource, out var resource)
            || resource.Definition.Version != info.ApiVersion
            || !MediaTypeCheck.CacheCanAnswer(request, info.Verb == "watch"))
        {
            return null;
        }

        // The parser reads /api/v1/namespaces/{name} as namespace {name}; a namespace has no namespace.
        var definition = resource.Definition;
        var ns = definition.Resource == "namespaces" && definition.Group.Length == 0 ? "" : info.Namespace;
        if (!definition.Namespaced && ns.Length > 0)
        {
            return null; // the apiserver answers 404 for a cluster-scoped resource under a namespace
        }

        var name = info.Verb is "get" or "watch" ? info.Name : ""; // a watch of one object by path watches that name
        if (info.Verb == "get" && name.Length == 0)
        {
            return null;
        }

        return new CachedRead(context, info with { Name = name }, resource, ns.Length == 0 ? null : ns, next);
    }
}
