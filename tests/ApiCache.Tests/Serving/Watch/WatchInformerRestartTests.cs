using System.Net;
using System.Net.Sockets;
using ApiCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// The official JavaScript client's informer (@kubernetes/client-node) through the real sidecar
/// process, whose configmaps watch is served from its cache, beside the same informer straight at
/// the dev server. Mid-run the sidecar is killed and a new one started on the same port, while
/// writes go on: both informers end with the object set (name to resourceVersion) of a direct LIST.
/// </summary>
public sealed class WatchInformerRestartTests(ITestOutputHelper output)
{
    private const string Namespace = "informer-restart";
    private const int InitialConfigMaps = 8;
    private const int StartAttempts = 20;
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Informer_ProxyRestartedWhileWritesContinue_ConvergesToDirectList()
    {
        // Arrange: the dev server, a sidecar on a fixed port in front of it, and two informers.
        await using var upstream = await DevServerHost.StartAsync();
        await upstream.CreateNamespaceAsync(Namespace);
        for (var i = 0; i < InitialConfigMaps; i++)
        {
            await upstream.CreateConfigMapAsync(Namespace, $"cm-{i}");
        }

        var port = FreePort();
        var sidecar = await StartSidecarAsync(upstream.Address, port);
        try
        {
            var proxy = new Uri($"http://127.0.0.1:{port}");
            await UntilListAnswersAsync(proxy);
            await using var proxiedClient = await NodeClientRunner.StartAsync("informer-state.mjs", [proxy.GetLeftPart(UriPartial.Authority), Namespace, "240"], TimeSpan.FromSeconds(300));
            await using var directClient = await NodeClientRunner.StartAsync("informer-state.mjs", [upstream.Address.GetLeftPart(UriPartial.Authority), Namespace, "240"], TimeSpan.FromSeconds(300));
            var proxied = new InformerStateReader(proxiedClient, "proxied");
            var direct = new InformerStateReader(directClient, "direct");
            var initial = await DirectListAsync(upstream);
            Assert.Equal(InitialConfigMaps, initial.Count);
            await proxied.UntilObjectsAsync(initial, Converge);
            await direct.UntilObjectsAsync(initial, Converge);
            var connectsBeforeRestart = proxied.Connects;

            // Act: writes, a converged proxied informer, the restart with writes while the proxy is down, more writes.
            await WritesAsync(upstream, "a");
            await proxied.UntilObjectsAsync(await DirectListAsync(upstream), Converge);
            await sidecar.DisposeAsync();
            await WritesAsync(upstream, "b");
            sidecar = await StartSidecarAsync(upstream.Address, port);
            await WritesAsync(upstream, "c");
            var expected = await DirectListAsync(upstream);
            await proxied.UntilObjectsAsync(expected, Converge);
            await direct.UntilObjectsAsync(expected, Converge);

            // One more change once both converged: it can only reach the proxied informer through the restarted proxy's watch.
            var (status, patched, text) = await upstream.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/cm-7", """{"data":{"k":"last"}}""", "application/merge-patch+json");
            Assert.True(status == 200, text);
            var final = await DirectListAsync(upstream);
            Assert.Equal(patched!["metadata"]!["resourceVersion"]!.GetValue<string>(), final["cm-7"]);
            await proxied.UntilObjectsAsync(final, Converge);
            await direct.UntilObjectsAsync(final, Converge);

            // Assert
            output.WriteLine($"final: {InformerStateReader.Describe(final)}; proxied informer: {proxied.Connects} connects, {proxied.Errors} errors; direct: {direct.Connects} connects, {direct.Errors} errors");
            Assert.Equal(final, proxied.Objects);
            Assert.Equal(final, direct.Objects);
            Assert.True(proxied.Connects > connectsBeforeRestart, $"the proxied informer never reconnected across the restart.\n{proxiedClient.Report()}");
            var metrics = await MetricsScrape.ScrapeAsync(proxy);
            var modified = metrics.Sum("apicache_watch_events_sent_total", ("resource", "configmaps"), ("type", "MODIFIED"));
            Assert.True(modified >= 1, $"the restarted proxy's cache sent no MODIFIED configmaps event (the last change reached the informer some other way):\n{metrics.Lines("apicache_watch")}");
        }
        finally
        {
            await sidecar.DisposeAsync();
        }
    }

    /// <summary>Creates two configmaps, updates two, deletes one (the names carry <paramref name="round"/>).</summary>
    private static async Task WritesAsync(DevServerHost upstream, string round)
    {
        await upstream.CreateConfigMapAsync(Namespace, $"{round}-0");
        await upstream.CreateConfigMapAsync(Namespace, $"{round}-1");
        foreach (var name in new[] { "cm-1", $"{round}-0" })
        {
            var (status, _, text) = await upstream.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{Namespace}/configmaps/{name}", "{\"data\":{\"round\":\"" + round + "\"}}", "application/merge-patch+json");
            Assert.True(status == 200, $"PATCH {name}: {status} {text}");
        }

        var (deleted, _, deleteText) = await upstream.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{Namespace}/configmaps/{round}-1");
        Assert.True(deleted == 200, $"DELETE {round}-1: {deleted} {deleteText}");
    }

    private static async Task<Dictionary<string, string>> DirectListAsync(DevServerHost upstream)
    {
        var (status, list, text) = await upstream.GetAsync($"/api/v1/namespaces/{Namespace}/configmaps");
        Assert.True(status == 200, text);
        return list!["items"]!.AsArray().ToDictionary(
            i => i!["metadata"]!["name"]!.GetValue<string>(),
            i => i!["metadata"]!["resourceVersion"]!.GetValue<string>(),
            StringComparer.Ordinal);
    }

    /// <summary>Starts the sidecar on <paramref name="port"/>; retries while the port is still taken by the one before.</summary>
    private static async Task<SidecarProcess> StartSidecarAsync(Uri upstream, int port)
    {
        string[] args =
        [
            "--ApiCache:Upstream:Servers:0:Url=" + upstream,
            $"--Sidecar:Listen=http://127.0.0.1:{port}",
            "--ApiCache:Cache:Resources:0:Resource=configmaps",
            "--ApiCache:Watch:BookmarkInterval=00:00:00.5",
        ];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SidecarProcess.StartAsync(args);
            }
            catch (InvalidOperationException e) when (attempt < StartAttempts && e.Message.Contains("cannot listen", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }

    /// <summary>Waits until the proxy answers a configmaps LIST (its cache is warm).</summary>
    private static async Task UntilListAnswersAsync(Uri proxy)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = proxy, Timeout = TimeSpan.FromSeconds(30) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var response = await client.GetAsync(new Uri($"/api/v1/namespaces/{Namespace}/configmaps", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        Assert.Fail("the proxy never answered the configmaps LIST");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
