using ApiCache.Caching;
using ApiCache.Consistency;
using ApiCache.DevServer.Embedding;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Embedding;

/// <summary>
/// The embedded dev server over a real etcd, under a key prefix of its own: the caches fill, and the
/// revision source answers for resources named in the apiserver's layout or as they lie in etcd.
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EmbeddedEtcdDevServerTests(EtcdFixture etcd)
{
    [Fact]
    public async Task EmbedCache_OverEtcd_RevisionSourceWaitsForEachResourcesOwnLastWrite()
    {
        var keyPrefix = EtcdFixture.NewKeyPrefix();
        await using var host = await DevServerHost.StartAsync(
            options =>
            {
                options.EmbedCache = true;
                options.EtcdKeyPrefix = keyPrefix;
            },
            etcd.CreateStore(keyPrefix));
        var source = Assert.IsType<DevServerRevisionSource>(host.Server.Services.GetRequiredService<IRevisionSource>());
        Assert.True(host.Server.Services.GetRequiredService<CacheRegistry>().TryGet("", "pods", out var pods));
        await host.CreateNamespaceAsync("team-a");

        var configMap = EmbeddedDevServerTests.Revision(await host.CreateConfigMapAsync("team-a", "settings"));
        var pod = EmbeddedDevServerTests.Revision(await host.CreatePodAsync("team-a", "web-0"));
        var podsTarget = await source.GetTargetAsync(EmbeddedDevServerTests.Reference("pods", "/registry/pods/"), 0, CancellationToken.None);
        var podsInEtcd = await source.GetTargetAsync(EmbeddedDevServerTests.Reference("pods", keyPrefix + "/registry/pods/"), 0, CancellationToken.None);
        var configMapsTarget = await source.GetTargetAsync(EmbeddedDevServerTests.Reference("configmaps", "/registry/configmaps/"), 0, CancellationToken.None);

        Assert.Equal(pod, podsTarget.WaitFor);
        Assert.Equal(pod, podsInEtcd.WaitFor);
        Assert.Equal(configMap, configMapsTarget.WaitFor);
        Assert.True(configMapsTarget.Current >= pod);
        await CacheWait.UntilFreshAsync(pods.Cache, pod);
    }
}
