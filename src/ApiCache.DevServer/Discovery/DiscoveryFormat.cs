namespace ApiCache.DevServer.Discovery;

/// <summary>Which discovery document a request for <c>/api</c> or <c>/apis</c> gets, by its Accept header.</summary>
internal enum DiscoveryFormat
{
    /// <summary>The unaggregated APIVersions / APIGroupList (plain application/json).</summary>
    Legacy,

    /// <summary>APIGroupDiscoveryList of apidiscovery.k8s.io/v2 (kubectl 1.30+ asks for it first).</summary>
    AggregatedV2,

    /// <summary>APIGroupDiscoveryList of apidiscovery.k8s.io/v2beta1 (kubectl 1.26-1.29 know only this one).</summary>
    AggregatedV2Beta1,
}
