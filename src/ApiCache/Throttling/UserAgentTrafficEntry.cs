namespace ApiCache.Throttling;

/// <summary>One User-Agent product's traffic over the last minute.</summary>
/// <param name="Product">The product token (empty: no User-Agent).</param>
/// <param name="Requests">Requests seen (allowed and rejected).</param>
/// <param name="Rejections">Requests answered 429 by a rule or an in-flight limit.</param>
internal sealed record UserAgentTrafficEntry(string Product, long Requests, long Rejections);
