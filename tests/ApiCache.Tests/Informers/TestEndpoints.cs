using ApiCache.Upstream;

namespace ApiCache.Tests.Informers;

/// <summary>An <see cref="UpstreamEndpointSet"/> with one endpoint at a loopback address, over the test's handler.</summary>
internal static class TestEndpoints
{
    public static UpstreamEndpointSet For(Uri address, HttpMessageHandler? handler = null)
    {
        var settings = new UpstreamServerSettings { Url = address, Source = "test" };
        return new UpstreamEndpointSet([new UpstreamEndpoint(settings, new HttpMessageInvoker(handler ?? new SocketsHttpHandler(), disposeHandler: true))]);
    }
}
