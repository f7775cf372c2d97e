using ApiCache.Caching;
using ApiCache.Requests;
using ApiCache.Security;
using ApiCache.Watch;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// Answers reads of cached resources from the cache and hands everything else on unchanged. It
/// takes a request only when the cache can answer it exactly: a GET of a collection (list) or of
/// one object of a cached resource and version, with no subresource, in a scope the resource has,
/// accepting plain JSON without a Table or metadata-only rendering. While a resource's initial list
/// is incomplete its LISTs and WATCHes get 429 (a GET is handed on). Watches are served from the
/// cache (<see cref="WatchResponder"/>) unless <c>ApiCache:Watch:Enabled</c> is off. When the
/// request has an authenticated caller (<see cref="CallerFeature"/>), a read the cache would answer
/// is first authorized with the upstream (<see cref="RequestAuthorizer"/>).
/// </summary>
internal sealed class CachedReadMiddleware(CacheRegistry registry, ListResponder list, GetResponder get, WatchResponder watch, WatchHub watches, ReadFallback fallback, RequestAuthorizer authorizer) : IMiddleware
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

        // Readiness is read once: a GET found cold is forwarded even if the cache warms meanwhile,
        // so nothing is answered from the cache without the authorization below.
        var ready = read.Resource.Cache.IsReady;
        var caller = CallerFeature.Get(context);
        if (caller is null && authorizer.Authenticates)
        {
            // Authenticate mode, yet nobody authenticated this request (a host that bypassed the
            // authentication middleware): never answer from the cache unchecked; fail closed.
            return CacheAnswer.WriteErrorAsync(context, StatusError.Unauthorized());
        }

        var forwardedAnyway = (read.Info.Verb == "get" && !ready) || (read.Info.Verb == "watch" && !watches.Options.Enabled);
        return caller is null || forwardedAnyway ? ServeAsync(read, ready) : AuthorizeThenServeAsync(read, caller);
    }

    /// <summary>
    /// Authorizes the read as the apiserver would before answering anything about it (so a denied
    /// caller gets 403 before the cold-cache 429 or a 404, and a watch is authorized once, at its
    /// start); a read whose review the upstream could not give is forwarded, for the upstream to
    /// authorize with the caller's identity. (Reads that are forwarded unchanged anyway, a GET while
    /// the cache is cold or a watch while cached watches are off, are left to the upstream.)
    /// </summary>
    private async Task AuthorizeThenServeAsync(CachedRead read, CallerFeature caller)
    {
        var info = RequestInfoFeature.Get(read.Context); // as parsed: the name of a metadata.name= list, the namespace of a namespace
        var attributes = RequestAuthorizer.ForRead(caller.User, info, read.Context.Request.Query, authorizer.SendsSelectors);
        switch (await authorizer.AuthorizeAsync(read.Context, attributes))
        {
            case AuthorizationVerdict.Allowed:
                await ServeAsync(read, read.Resource.Cache.IsReady);
                break;
            case AuthorizationVerdict.Unavailable:
                await fallback.ForwardAsync(read, Consistency.ReadPath.Forwarded);
                break;
        }
    }

    /// <summary>Answers the read from the cache; while the cache is not <paramref name="ready"/>, forwards a GET and rejects a LIST or WATCH with 429.</summary>
    private Task ServeAsync(CachedRead read, bool ready)
    {
        if (!ready)
        {
            return read.Info.Verb == "get" ? fallback.ForwardAsync(read, Consistency.ReadPath.Forwarded) : fallback.RejectColdAsync(read);
        }

        return read.Info.Verb switch
        {
            "list" => list.ServeAsync(read),
            "get" => get.ServeAsync(read),
            "watch" when watches.Options.Enabled => watch.ServeAsync(read),
            _ => read.Next(read.Context),
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
