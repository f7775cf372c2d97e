using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ApiCache.Tests.Forwarding;

/// <summary>Requests pass through the proxy unchanged both ways: method, target, headers, body, status.</summary>
public sealed class ForwardingRoundTripTests
{
    /// <summary>An upstream that answers with what it received, and a status and headers the test asked for.</summary>
    private static Task<LoopbackServer> StartEchoUpstreamAsync() => LoopbackServer.StartAsync(app => app.Run(async context =>
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var request = context.Request;
        context.Response.StatusCode = int.Parse(request.Headers["X-Want-Status"].FirstOrDefault() ?? "200");
        context.Response.Headers["X-Seen-Method"] = request.Method;
        context.Response.Headers["X-Seen-Target"] = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        context.Response.Headers["X-Seen-Accept"] = request.Headers.Accept.ToString();
        context.Response.Headers["X-Seen-Content-Type"] = request.ContentType ?? "";
        context.Response.Headers["X-Seen-User-Agent"] = request.Headers.UserAgent.ToString();
        context.Response.Headers["X-Seen-Authorization"] = request.Headers.Authorization.ToString();
        context.Response.Headers["X-Seen-Forwarded"] = request.Headers["X-Forwarded-For"].ToString();
        context.Response.Headers["Audit-Id"] = "0a5bb9a4-bc46-4954-bf0a-772e1acb943f";
        context.Response.Headers["Warning"] = "299 - \"metadata.finalizers: \\\"x\\\": prefer a domain-qualified finalizer name\"";
        context.Response.Headers["Retry-After"] = "7";
        context.Response.Headers["X-Kubernetes-Pf-Flowschema-Uid"] = "15d47992-a672-42b0-a208-aaffa098dfab";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.Length == 0 ? "{\"kind\":\"PodList\"}\n" : body);
    }));

    [Theory]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods?labelSelector=app%20in%20(web,db)&fieldSelector=spec.nodeName%3Dnode-1&limit=500", null, 200)]
    [InlineData("POST", "/api/v1/namespaces/team-a/configmaps?fieldManager=kubectl-create", "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}", 201)]
    [InlineData("PUT", "/api/v1/namespaces/team-a/configmaps/x", "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"12\"}}", 409)]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/team-a/deployments/web?fieldManager=kubectl-label", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", 200)]
    [InlineData("DELETE", "/api/v1/namespaces/team-a/pods/web-1?gracePeriodSeconds=0", null, 404)]
    [InlineData("GET", "/apis/example.com/v1/namespaces/team-a/widgets/sprocket", null, 200)]
    [InlineData("GET", "/api/v1/namespaces/team-a/services/web:80/proxy/a%2Fb%20c?x=%41", null, 502)]
    public async Task Forward_AnyMethodAndTarget_PassesRequestAndResponseThroughUnchanged(string method, string target, string? body, int status)
    {
        // Arrange
        await using var upstream = await StartEchoUpstreamAsync();
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        // The target is sent exactly as written: no canonicalization of escapes on the client side either.
        var verbatim = new Uri(proxy.Address.ToString().TrimEnd('/') + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(new HttpMethod(method), verbatim);
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0");
        request.Headers.TryAddWithoutValidation("X-Want-Status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (body is not null)
        {
            var contentType = method == "PATCH" ? "application/merge-patch+json" : "application/json";
            request.Content = new StringContent(body, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));
        }

        // Act
        using var response = await client.SendAsync(request);
        var responseBody = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(method, Header(response, "X-Seen-Method"));
        Assert.Equal(target, Header(response, "X-Seen-Target"));
        Assert.Equal("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", Header(response, "X-Seen-Accept"));
        Assert.Equal("kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0", Header(response, "X-Seen-User-Agent"));
        Assert.Equal("", Header(response, "X-Seen-Forwarded"));
        Assert.Equal(body ?? "{\"kind\":\"PodList\"}\n", responseBody);
        if (body is not null)
        {
            Assert.StartsWith(method == "PATCH" ? "application/merge-patch+json" : "application/json", Header(response, "X-Seen-Content-Type"), StringComparison.Ordinal);
        }

        Assert.Equal("0a5bb9a4-bc46-4954-bf0a-772e1acb943f", Header(response, "Audit-Id"));
        Assert.Equal("299 - \"metadata.finalizers: \\\"x\\\": prefer a domain-qualified finalizer name\"", Header(response, "Warning"));
        Assert.Equal("7", Header(response, "Retry-After"));
        Assert.Equal("15d47992-a672-42b0-a208-aaffa098dfab", Header(response, "X-Kubernetes-Pf-Flowschema-Uid"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Forward_ProtobufBody_PassesBinaryBytesBothWaysUnchanged()
    {
        // Arrange: an upstream that answers with the bytes it received, reversed, as protobuf.
        await using var upstream = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            Array.Reverse(bytes);
            context.Response.ContentType = context.Request.ContentType;
            await context.Response.Body.WriteAsync(bytes);
        }));
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var body = new byte[70_000];
        new Random(42).NextBytes(body);
        "k8s\0"u8.CopyTo(body);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/vnd.kubernetes.protobuf");

        // Act
        using var response = await client.PostAsync(new Uri("/api/v1/namespaces/team-a/configmaps", UriKind.Relative), content);
        var answer = await response.Content.ReadAsByteArrayAsync();

        // Assert
        Array.Reverse(body);
        Assert.Equal("application/vnd.kubernetes.protobuf", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body, answer);
    }

    [Fact]
    public async Task Forward_WithoutProxyCredentials_PassesCallerAuthorizationThrough()
    {
        await using var upstream = await StartEchoUpstreamAsync();
        await using var proxy = await ProxyHost.StartAsync(upstream.Address);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "caller-token");

        using var response = await client.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));

        Assert.Equal("Bearer caller-token", Header(response, "X-Seen-Authorization"));
    }

    [Fact]
    public async Task Forward_WithProxyBearerToken_SendsProxyTokenInsteadOfCallers()
    {
        await using var upstream = await StartEchoUpstreamAsync();
        await using var proxy = await ProxyHost.StartAsync(options => options.Upstream.Servers.Add(
            new() { Url = upstream.Address.ToString(), BearerToken = "proxy-token" }));
        using var client = new HttpClient { BaseAddress = proxy.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "caller-token");

        using var response = await client.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));

        Assert.Equal("Bearer proxy-token", Header(response, "X-Seen-Authorization"));
    }

    [Fact]
    public async Task Forward_UpstreamWithPathPrefix_AppendsRequestTargetToPrefix()
    {
        await using var upstream = await StartEchoUpstreamAsync();
        await using var proxy = await ProxyHost.StartAsync(new Uri(upstream.Address, "/k8s/clusters/c-1/"));
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var response = await client.GetAsync(new Uri("/api/v1/nodes?limit=1", UriKind.Relative));

        Assert.Equal("/k8s/clusters/c-1/api/v1/nodes?limit=1", Header(response, "X-Seen-Target"));
    }

    [Fact]
    public async Task Forward_UpstreamUnreachable_AnswersServiceUnavailableStatus()
    {
        // A port that was free a moment ago: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var proxy = await ProxyHost.StartAsync(new Uri($"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var response = await client.GetAsync(new Uri("/api/v1/pods", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.StartsWith(
            $"{{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{{}},\"status\":\"Failure\",\"message\":\"error trying to reach the upstream apiserver http://127.0.0.1:{port}: ",
            body,
            StringComparison.Ordinal);
        Assert.EndsWith("\",\"reason\":\"ServiceUnavailable\",\"code\":503}\n", body, StringComparison.Ordinal);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : throw new Xunit.Sdk.XunitException($"response has no {name} header");
}
