using System.Net.Http.Headers;

namespace ApiCache.Upstream;

/// <summary>Sets <c>Authorization: Bearer</c> on every request to the upstream, from a token that may rotate.</summary>
internal sealed class BearerTokenHandler(BearerTokenSource token) : DelegatingHandler
{
    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.GetToken());
        return base.SendAsync(request, cancellationToken);
    }
}
