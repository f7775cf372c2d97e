using ApiCache.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace ApiCache.Forwarding;

/// <summary>
/// Makes forwarding transparent: YARP's default header copying (hop-by-hop headers dropped,
/// everything else kept, no X-Forwarded-* added), the request target exactly as the client sent it
/// (path escaping and query untouched), and the caller's <c>Authorization</c> dropped when ApiCache
/// presents its own credentials to the upstream.
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    private static readonly UriCreationOptions VerbatimUri = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <inheritdoc/>
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext,
        HttpRequestMessage proxyRequest,
        string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var rawTarget = httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(rawTarget) && rawTarget[0] == '/' && httpContext.Request.PathBase.Value is null or "")
        {
            proxyRequest.RequestUri = new Uri(destinationPrefix + rawTarget, in VerbatimUri);
        }

        var forwarding = httpContext.Features.GetRequiredFeature<ForwardingFeature>();
        if (forwarding.Endpoint.HasOwnCredentials)
        {
            proxyRequest.Headers.Authorization = null;
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext,
        HttpResponseMessage? proxyResponse,
        CancellationToken cancellationToken)
    {
        // A 429 that is retried on another endpoint is dropped here, before anything reaches the client.
        if (proxyResponse is not null && !httpContext.Features.GetRequiredFeature<ForwardingFeature>().ResponseHeadersReceived(proxyResponse))
        {
            return false;
        }

        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (copyBody && proxyResponse is { StatusCode: System.Net.HttpStatusCode.OK }
            && RequestInfoFeature.Get(httpContext).Verb == "watch")
        {
            // The apiserver sends a watch's 200 and headers at once (fixtures README, "Watch framing");
            // without this they would wait for the first event, and a client of a quiet resource would hang.
            await httpContext.Response.StartAsync(cancellationToken);
            await httpContext.Response.Body.FlushAsync(cancellationToken);
        }

        return copyBody;
    }
}
