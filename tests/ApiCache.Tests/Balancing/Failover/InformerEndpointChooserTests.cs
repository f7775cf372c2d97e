using ApiCache.Informers;
using ApiCache.Upstream;

namespace ApiCache.Tests.Balancing.Failover;

/// <summary>The informer's endpoint choice alone: spreading, skipping, catch-up checks and switch counting.</summary>
public sealed class InformerEndpointChooserTests : IDisposable
{
    private readonly UpstreamEndpoint[] _endpoints = [Endpoint("a"), Endpoint("b"), Endpoint("c")];
    private readonly RecordingAvailability _availability = new();

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }

    [Theory]
    [InlineData(0, "a,b,c")]
    [InlineData(1, "b,c,a")]
    [InlineData(5, "c,a,b")]
    public void Candidates_ResourceIndex_StartAtIndexModNAndGoRoundTheRing(int index, string expected)
    {
        var chooser = new InformerEndpointChooser(_endpoints, _availability, index, "configmaps");

        Assert.Equal(expected, string.Join(',', chooser.Candidates().Select(e => e.Name)));
        Assert.Equal(expected[..1], chooser.Preferred.Name);
    }

    [Fact]
    public void Candidates_UnavailableEndpoints_SkippedUnlessNoneIsAvailable()
    {
        var chooser = new InformerEndpointChooser(_endpoints, _availability, 0, "configmaps");

        _availability.SetDown(_endpoints[0], true);
        Assert.Equal("b,c", string.Join(',', chooser.Candidates().Select(e => e.Name)));

        _availability.SetDown(_endpoints[1], true);
        _availability.SetDown(_endpoints[2], true);
        Assert.Equal("a,b,c", string.Join(',', chooser.Candidates().Select(e => e.Name)));
    }

    [Fact]
    public void NeedsCatchUpCheck_OnlyForAnEndpointTheCacheDataDidNotComeFromOrThatSaidItIsBehind()
    {
        var chooser = new InformerEndpointChooser(_endpoints, _availability, 0, "configmaps");
        Assert.False(chooser.NeedsCatchUpCheck(_endpoints[0], 0));

        chooser.Succeeded(_endpoints[0]);
        Assert.False(chooser.NeedsCatchUpCheck(_endpoints[0], 42));
        Assert.True(chooser.NeedsCatchUpCheck(_endpoints[1], 42));

        chooser.ReportBehind(_endpoints[0], "a is behind");
        Assert.True(chooser.NeedsCatchUpCheck(_endpoints[0], 42));
        chooser.Succeeded(_endpoints[0]);
        Assert.False(chooser.NeedsCatchUpCheck(_endpoints[0], 42));
    }

    [Fact]
    public void Succeeded_AnotherEndpoint_CountsOneSwitchAndReportFailureReachesThePool()
    {
        var chooser = new InformerEndpointChooser(_endpoints, _availability, 0, "configmaps");
        chooser.Succeeded(_endpoints[0]);
        chooser.Succeeded(_endpoints[0]);
        Assert.Equal(0, chooser.Switches);

        chooser.ReportFailure(_endpoints[0], 503, null, "a answered 503");
        chooser.Succeeded(_endpoints[1]);

        Assert.Equal(1, chooser.Switches);
        Assert.Same(_endpoints[1], chooser.Current);
        Assert.Equal([("a", (int?)503)], _availability.Failures);
    }

    [Fact]
    public void NeedsCatchUpCheck_SingleEndpoint_NeverChecks()
    {
        var chooser = new InformerEndpointChooser([_endpoints[0]], _availability, 3, "configmaps");

        Assert.False(chooser.NeedsCatchUpCheck(_endpoints[0], 42));
        Assert.Same(_endpoints[0], chooser.Preferred);
    }

    private static UpstreamEndpoint Endpoint(string name) =>
        new(new UpstreamServerSettings { Url = new Uri("http://127.0.0.1:1"), Source = "test" }, new HttpMessageInvoker(new SocketsHttpHandler(), disposeHandler: true), name);
}
