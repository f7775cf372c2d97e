using ApiCache.DevServer.Discovery;

namespace ApiCache.Tests.DevServer.Discovery;

/// <summary>Which discovery document an Accept header gets.</summary>
public sealed class DiscoveryNegotiationTests
{
    /// <summary>What kubectl 1.33 sends (fixtures 01-discovery-*-aggregated and kubectl-1.33-traces.txt).</summary>
    private const string Kubectl133 =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    /// <summary>What kubectl 1.27 sends: it knows only v2beta1.</summary>
    private const string Kubectl127 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

    [Theory]
    [InlineData(Kubectl133, nameof(DiscoveryFormat.AggregatedV2))]
    [InlineData(Kubectl127, nameof(DiscoveryFormat.AggregatedV2Beta1))]
    [InlineData("application/json", nameof(DiscoveryFormat.Legacy))]
    [InlineData("", nameof(DiscoveryFormat.Legacy))]
    [InlineData("*/*", nameof(DiscoveryFormat.Legacy))]
    [InlineData("application/json, */*", nameof(DiscoveryFormat.Legacy))]
    [InlineData("application/vnd.kubernetes.protobuf, application/json", nameof(DiscoveryFormat.Legacy))]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", nameof(DiscoveryFormat.AggregatedV2))]
    [InlineData("application/json; g=apidiscovery.k8s.io; v=v2; as=APIGroupDiscoveryList", nameof(DiscoveryFormat.AggregatedV2))]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", nameof(DiscoveryFormat.Legacy))]
    [InlineData("application/json;g=other.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json", nameof(DiscoveryFormat.Legacy))]
    [InlineData("application/json;q=0.9,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", nameof(DiscoveryFormat.AggregatedV2))]
    [InlineData("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0,application/json", nameof(DiscoveryFormat.Legacy))]
    [InlineData("*/*,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList", nameof(DiscoveryFormat.AggregatedV2Beta1))]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io", nameof(DiscoveryFormat.Legacy))]
    [InlineData("application/xml", nameof(DiscoveryFormat.Legacy))]
    public void Negotiate_AcceptHeader_PicksFormat(string accept, string expected)
    {
        Assert.Equal(expected, DiscoveryNegotiation.Negotiate(accept).ToString());
    }

    [Theory]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true)]
    [InlineData("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", true)]
    [InlineData("application/json", false)]
    [InlineData("application/json, */*", false)]
    [InlineData("", false)]
    [InlineData("application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", false)]
    [InlineData("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true)]
    public void PrefersOpenApiV2Protobuf_AcceptHeader_FollowsFirstUsableClause(string accept, bool expected)
    {
        Assert.Equal(expected, DiscoveryNegotiation.PrefersOpenApiV2Protobuf(accept));
    }
}
