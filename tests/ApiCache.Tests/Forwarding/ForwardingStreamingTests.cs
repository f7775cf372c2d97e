using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ApiCache.Tests.Forwarding;

/// <summary>Long-running requests: watches stream event by event, disconnects propagate, upgrades tunnel.</summary>
public sealed class ForwardingStreamingTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _serving;

    public ForwardingStreamingTests() => _serving = _pki.IssueServer();

    /// <summary>Generous liveness deadline for a step that normally takes milliseconds; never a performance bound.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Forward_ChunkedWatch_DeliversEachEventBeforeUpstreamFinishes(string clientHttpVersion)
    {
        // Arrange: an upstream watch that sends one event, then holds the stream open until released.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var upstreamFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\"}}}\n");
            await context.Response.Body.FlushAsync();
            await release.Task;
            await context.Response.WriteAsync("{\"type\":\"DELETED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\"}}}\n");
            upstreamFinished.SetResult();
        }));
        await using var proxy = await StartProxyAsync(upstream, clientHttpVersion);
        using var client = ClientFor(proxy, clientHttpVersion);

        // Act
        using var response = await client.GetAsync(new Uri("/api/v1/pods?watch=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync().WaitAsync(Deadline);
        var upstreamStillOpen = !upstreamFinished.Task.IsCompleted;
        release.SetResult();
        var second = await reader.ReadLineAsync().WaitAsync(Deadline);
        var end = await reader.ReadLineAsync().WaitAsync(Deadline);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(clientHttpVersion), response.Version);
        Assert.Equal("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\"}}}", first);
        Assert.True(upstreamStillOpen, "the first event must reach the client while the upstream still holds the watch open");
        Assert.Equal("{\"type\":\"DELETED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\"}}}", second);
        Assert.Null(end);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Forward_QuietWatch_SendsStatusAndHeadersBeforeAnyEvent(string clientHttpVersion)
    {
        // Arrange: an upstream watch that answers 200 with headers at once (as the apiserver does) and stays silent.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync();
            await context.Response.Body.FlushAsync();
            await release.Task.WaitAsync(context.RequestAborted);
        }));
        await using var proxy = await StartProxyAsync(upstream, clientHttpVersion);
        using var client = ClientFor(proxy, clientHttpVersion);

        // Act: the headers must arrive while the upstream has sent no event (the deadline only guards a hang).
        using var response = await client.GetAsync(new Uri("/api/v1/namespaces/default/events?watch=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Deadline);
        var stillSilent = !release.Task.IsCompleted;
        release.SetResult();

        // Assert
        Assert.True(stillSilent);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task Forward_ClientDisconnects_AbortsUpstreamRequest(string clientHttpVersion)
    {
        // Arrange: an upstream watch that never ends by itself and reports when it is aborted.
        var upstreamAborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"5\"}}}\n");
            await context.Response.Body.FlushAsync();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamAborted.SetResult();
            }
        }));
        await using var proxy = await StartProxyAsync(upstream, clientHttpVersion);
        var client = ClientFor(proxy, clientHttpVersion);
        var response = await client.GetAsync(new Uri("/api/v1/pods?watch=true", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.NotNull(await reader.ReadLineAsync().WaitAsync(Deadline));

        // Act: the client goes away.
        reader.Dispose();
        response.Dispose();
        client.Dispose();

        // Assert
        await upstreamAborted.Task.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Forward_SpdyUpgrade_TunnelsBytesBothWays()
    {
        // Arrange: an upstream that accepts SPDY/3.1 upgrades (as kubectl exec/port-forward/attach
        // use) and echoes what it reads, prefixed, until the client closes.
        string? seenUpgrade = null;
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            var upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
            if (!upgrade.IsUpgradableRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            seenUpgrade = context.Request.Headers.Upgrade.ToString() + "|" + context.Request.Headers["X-Stream-Protocol-Version"];
            context.Response.Headers["X-Stream-Protocol-Version"] = "v4.channel.k8s.io";
            context.Response.Headers.Upgrade = "SPDY/3.1";
            await using var stream = await upgrade.UpgradeAsync();
            var buffer = new byte[1024];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("echo:"));
                await stream.WriteAsync(buffer.AsMemory(0, read));
                await stream.FlushAsync();
            }
        }));
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, proxy.Address.Port);
        var stream = tcp.GetStream();

        // Act
        var request = "POST /api/v1/namespaces/team-a/pods/web-1/exec?command=sh&stdin=true&stdout=true HTTP/1.1\r\n"
            + $"Host: 127.0.0.1:{proxy.Address.Port}\r\n"
            + "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
            + "Content-Length: 0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var head = await ReadHeadAsync(stream).WaitAsync(Deadline);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("ls -l\n"));
        var echoed = await ReadExactlyAsync(stream, "echo:ls -l\n".Length).WaitAsync(Deadline);

        // Assert
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head, StringComparison.Ordinal);
        Assert.Contains("X-Stream-Protocol-Version: v4.channel.k8s.io", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Upgrade: SPDY/3.1", head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("SPDY/3.1|v4.channel.k8s.io", seenUpgrade);
        Assert.Equal("echo:ls -l\n", echoed);
    }

    [Fact]
    public async Task Forward_WebSocketUpgrade_TunnelsMessagesBothWays()
    {
        // Arrange: a WebSocket upstream (kubectl 1.30+ exec uses the v5.channel.k8s.io subprotocol).
        await using var upstream = await LoopbackServer.StartAsync(app =>
        {
            app.UseWebSockets();
            app.Run(async context =>
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    context.Response.StatusCode = 400;
                    return;
                }

                using var socket = await context.WebSockets.AcceptWebSocketAsync("v5.channel.k8s.io");
                var buffer = new byte[1024];
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Binary, true, CancellationToken.None);
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            });
        });
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v5.channel.k8s.io");

        // Act
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Address.Port}/api/v1/namespaces/team-a/pods/web-1/exec?command=date"), CancellationToken.None).WaitAsync(Deadline);
        await socket.SendAsync(new byte[] { 0, (byte)'h', (byte)'i' }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Deadline);

        // Assert
        Assert.Equal("v5.channel.k8s.io", socket.SubProtocol);
        Assert.Equal(new byte[] { 0, (byte)'h', (byte)'i' }, buffer[..received.Count]);
    }

    /// <summary>
    /// The proxy over plain HTTP/1.1, or over TLS for HTTP/2 (as kubelets and kubectl reach an
    /// apiserver); the upstream stays plain HTTP/1.1, so the test also crosses protocol versions.
    /// </summary>
    private Task<LoopbackServer> StartProxyAsync(LoopbackServer upstream, string httpVersion) =>
        httpVersion == "2.0" ? ProxyHost.StartTlsAsync(upstream.Address, _serving) : ProxyHost.StartAsync(upstream.Address);

    /// <summary>A client that speaks exactly <paramref name="httpVersion"/> and trusts the test PKI's serving certificate.</summary>
    private HttpClient ClientFor(LoopbackServer proxy, string httpVersion)
    {
        var thumbprint = _serving.Thumbprint;
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint },
        };
        return new HttpClient(handler)
        {
            BaseAddress = proxy.Address,
            DefaultRequestVersion = Version.Parse(httpVersion),
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public void Dispose()
    {
        _serving.Dispose();
        _pki.Dispose();
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static async Task<string> ReadExactlyAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return Encoding.ASCII.GetString(buffer);
    }
}
