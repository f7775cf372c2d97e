using ApiCache.Caching;
using ApiCache.Requests;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>A read the cache has taken on: the request, its resource's cache, and where to send it when the cache cannot answer.</summary>
/// <param name="Context">The request.</param>
/// <param name="Info">What it asks for.</param>
/// <param name="Resource">The cached resource.</param>
/// <param name="Namespace">The namespace the read is scoped to; null for all namespaces or a cluster-scoped resource.</param>
/// <param name="Next">Forwards the request unchanged (upstream, or to the embedding host).</param>
internal sealed record CachedRead(HttpContext Context, KubernetesRequestInfo Info, ResourceCache Resource, string? Namespace, RequestDelegate Next)
{
    /// <summary>The resource's name in metrics and messages, e.g. <c>pods</c> or <c>deployments.apps</c>.</summary>
    public string DisplayName => Resource.Definition.DisplayName;
}
