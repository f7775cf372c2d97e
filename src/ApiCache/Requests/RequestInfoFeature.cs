using Microsoft.AspNetCore.Http;

namespace ApiCache.Requests;

/// <summary>
/// The <see cref="KubernetesRequestInfo"/> of the current request, parsed once and kept in the
/// request's features, so throttling, the cache and the forwarder classify a request the same way
/// without parsing its path again.
/// </summary>
internal sealed class RequestInfoFeature(KubernetesRequestInfo info)
{
    /// <summary>What the request asks for.</summary>
    public KubernetesRequestInfo Info { get; } = info;

    /// <summary>The request's info: parsed on the first call, then taken from the features.</summary>
    public static KubernetesRequestInfo Get(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var feature = context.Features.Get<RequestInfoFeature>();
        if (feature is null)
        {
            feature = new RequestInfoFeature(RequestInfoParser.Parse(context.Request));
            context.Features.Set(feature);
        }

        return feature.Info;
    }
}
