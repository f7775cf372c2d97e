using System.Diagnostics.Metrics;
using ApiCache.Metrics;

namespace ApiCache.Security;

/// <summary>
/// Authentication's instruments: <c>apicache_authentication_total{method,result}</c> (method
/// <c>x509</c>, <c>token</c> or <c>anonymous</c>; result <c>success</c>, <c>failure</c> or
/// <c>error</c>, the last when a TokenReview could not be had) and
/// <c>apicache_token_review_cache_total{result}</c> (<c>hit</c> or <c>miss</c>). Label values are
/// the constants below, so the series are bounded.
/// </summary>
internal sealed class AuthenticationMetrics
{
    /// <summary>The <c>method</c> label values.</summary>
    public static class Method
    {
        /// <summary>A client certificate.</summary>
        public const string X509 = "x509";

        /// <summary>A bearer token (TokenReview).</summary>
        public const string Token = "token";

        /// <summary>No credentials.</summary>
        public const string Anonymous = "anonymous";
    }

    /// <summary>The <c>result</c> label values of <c>apicache_authentication_total</c>.</summary>
    public static class Result
    {
        /// <summary>The caller was authenticated.</summary>
        public const string Success = "success";

        /// <summary>The credential was invalid (or anonymous requests are not allowed).</summary>
        public const string Failure = "failure";

        /// <summary>The credential could not be checked (the upstream's TokenReview failed).</summary>
        public const string Error = "error";
    }

    private readonly Counter<long> _authentications;
    private readonly Counter<long> _tokenCache;

    public AuthenticationMetrics(ApiCacheMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _authentications = metrics.Meter.CreateCounter<long>(
            "apicache_authentication",
            description: "Callers authenticated by ApiCache, by method (x509, token, anonymous) and result (success, failure, error: the TokenReview could not be had).");
        _tokenCache = metrics.Meter.CreateCounter<long>(
            "apicache_token_review_cache",
            description: "Bearer token lookups in the TokenReview cache, by result (hit, miss: a TokenReview was sent or joined).");
    }

    /// <summary>Counts one authentication attempt.</summary>
    public void Authenticated(string method, string result) =>
        _authentications.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("result", result));

    /// <summary>Counts one lookup in the TokenReview cache.</summary>
    public void TokenCacheLookup(bool hit) =>
        _tokenCache.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));
}
