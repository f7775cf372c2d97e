namespace ApiCache.Configuration;

/// <summary>How forwarded requests choose among several upstream apiservers.</summary>
public enum BalancingStrategy
{
    /// <summary>
    /// Power of two choices over the available endpoints (healthy, not cooling down after a 429):
    /// two are drawn at random and the one with fewer requests in flight gets the request.
    /// </summary>
    LeastOutstanding = 0,

    /// <summary>
    /// Plain round-robin over every configured endpoint, health ignored and nothing retried (the
    /// behaviour before the pool; kept as a baseline for comparisons).
    /// </summary>
    RoundRobin = 1,
}
