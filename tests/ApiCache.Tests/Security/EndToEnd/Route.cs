namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>Which server a request of the end-to-end security tests goes to.</summary>
internal enum Route
{
    /// <summary>Straight to the dev API server.</summary>
    Direct,

    /// <summary>Through ApiCache in front of it.</summary>
    Proxy,
}
