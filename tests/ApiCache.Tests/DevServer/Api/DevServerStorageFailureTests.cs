using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Api;

/// <summary>When etcd goes away under the dev server, requests get a Status and the server keeps serving.</summary>
public sealed class DevServerStorageFailureTests
{
    [Fact]
    public async Task Request_EtcdStopped_Answers503StatusAndKeepsServing()
    {
        var etcd = await EtcdServer.StartAsync();
        await using var host = await DevServerHost.StartAsync(store: new EtcdRevisionedStore(etcd.ClientUrl, EtcdFixture.NewKeyPrefix()));
        var (before, _, _) = await host.GetAsync("/api/v1/namespaces");
        await etcd.DisposeAsync();

        var (status, body, text) = await host.GetAsync("/api/v1/namespaces/default/configmaps");
        var (ready, _, _) = await host.GetAsync("/livez");

        Assert.Equal(200, before);
        Assert.True(status == 503, text);
        Assert.Equal("Status", body!["kind"]!.GetValue<string>());
        Assert.Equal("ServiceUnavailable", body["reason"]!.GetValue<string>());
        Assert.Equal(200, ready);
    }
}
