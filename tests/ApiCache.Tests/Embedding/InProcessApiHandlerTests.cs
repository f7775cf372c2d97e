using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Api;
using ApiCache.DevServer.Embedding;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Embedding;

/// <summary>
/// The dev server's API served to an <see cref="HttpClient"/> in-process: the same answers as over
/// the network, a watch that streams event by event, and cancellation that reaches the handler.
/// </summary>
public sealed class InProcessApiHandlerTests : IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private DevServerHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await DevServerHost.StartAsync();
        await _host.CreateNamespaceAsync("team-a");
        _client = InProcessClient(Handler());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task SendAsync_Get_AnswersAsOverTheNetwork()
    {
        await _host.CreateConfigMapAsync("team-a", "settings");
        const string path = "/api/v1/namespaces/team-a/configmaps/settings";

        using var inProcess = await _client.GetAsync(new Uri(path, UriKind.Relative));
        using var network = await _host.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, inProcess.StatusCode);
        Assert.Equal(await network.Content.ReadAsStringAsync(), await inProcess.Content.ReadAsStringAsync());
        Assert.Equal("application/json", inProcess.Content.Headers.ContentType?.MediaType);
        Assert.Equal(network.Content.Headers.ContentLength, inProcess.Content.Headers.ContentLength);
        Assert.True(inProcess.Headers.Contains("Audit-Id"));
    }

    [Fact]
    public async Task SendAsync_GetMissing_AnswersTheNotFoundStatus()
    {
        const string path = "/api/v1/namespaces/team-a/configmaps/missing";

        using var inProcess = await _client.GetAsync(new Uri(path, UriKind.Relative));
        using var network = await _host.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, inProcess.StatusCode);
        Assert.Equal(await network.Content.ReadAsStringAsync(), await inProcess.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SendAsync_ListWithQuery_AnswersThePageTheQueryAsksFor()
    {
        await _host.CreateConfigMapAsync("team-a", "a", labels: """{"tier":"web"}""");
        await _host.CreateConfigMapAsync("team-a", "b", labels: """{"tier":"db"}""");
        await _host.CreateConfigMapAsync("team-a", "c", labels: """{"tier":"web"}""");

        var list = JsonNode.Parse(await _client.GetStringAsync(new Uri("/api/v1/namespaces/team-a/configmaps?labelSelector=tier%3Dweb&limit=1", UriKind.Relative)))!;

        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
        var item = Assert.Single(list["items"]!.AsArray());
        Assert.Equal("a", item!["metadata"]!["name"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(list["metadata"]!["continue"]?.GetValue<string>()));
    }

    [Fact]
    public async Task SendAsync_Create_StoresTheObjectFromTheRequestBody()
    {
        using var content = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"created"},"data":{"k":"in-process"}}""", Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync(new Uri("/api/v1/namespaces/team-a/configmaps", UriKind.Relative), content);
        var (status, stored, _) = await _host.GetAsync("/api/v1/namespaces/team-a/configmaps/created");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("created", created["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(200, status);
        Assert.Equal("in-process", stored!["data"]!["k"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["resourceVersion"]!.GetValue<string>(), stored["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendAsync_Watch_StreamsEventsWrittenAfterTheResponseStartedUntilCancelled()
    {
        var revision = await _host.Store.GetRevisionAsync(CancellationToken.None);
        using var invoker = new HttpMessageInvoker(Handler(), disposeHandler: true);
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{BaseAddress}api/v1/namespaces/team-a/configmaps?watch=true&resourceVersion={revision}");

        // As the informers send it: the cancellation token is the request's for its whole life.
        using var response = await invoker.SendAsync(request, cancel.Token).WaitAsync(Guard);
        await using var stream = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        using var reader = new StreamReader(stream);

        // The response started before any event existed; each event arrives while the stream stays open.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _host.CreateConfigMapAsync("team-a", "first");
        var first = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(Guard))!)!;
        await _host.CreateConfigMapAsync("team-a", "second");
        var second = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(Guard))!)!;

        Assert.Equal("ADDED", first["type"]!.GetValue<string>());
        Assert.Equal("first", first["object"]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("ADDED", second["type"]!.GetValue<string>());
        Assert.Equal("second", second["object"]!["metadata"]!["name"]!.GetValue<string>());

        await cancel.CancelAsync();
        var end = await Record.ExceptionAsync(() => reader.ReadLineAsync().WaitAsync(Guard));
        Assert.IsAssignableFrom<OperationCanceledException>(end);
    }

    [Fact]
    public async Task SendAsync_Cancelled_FiresRequestAbortedOfTheHandler()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var invoker = new HttpMessageInvoker(new InProcessApiHandler(StreamUntilAborted(aborted), _host.Server.Services), disposeHandler: true);
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Get, BaseAddress + "stream");

        using var response = await invoker.SendAsync(request, cancel.Token).WaitAsync(Guard);
        var stream = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Guard);
        Assert.False(aborted.Task.IsCompleted);
        await cancel.CancelAsync();

        await aborted.Task.WaitAsync(Guard);
        Assert.Equal("started\n", Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task ReadAsync_Cancelled_FiresRequestAbortedOfTheHandler()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = InProcessClient(new InProcessApiHandler(StreamUntilAborted(aborted), _host.Server.Services));
        using var cancel = new CancellationTokenSource();

        using var response = await client.GetAsync(new Uri("/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Guard);
        var stream = await response.Content.ReadAsStreamAsync(CancellationToken.None);
        var buffer = new byte[16];
        await stream.ReadAsync(buffer).AsTask().WaitAsync(Guard);
        var pending = stream.ReadAsync(buffer, cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Guard));
        await aborted.Task.WaitAsync(Guard);
    }

    [Fact]
    public async Task SendAsync_ResponseDisposed_FiresRequestAbortedOfTheHandler()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = InProcessClient(new InProcessApiHandler(StreamUntilAborted(aborted), _host.Server.Services));

        var response = await client.GetAsync(new Uri("/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead).WaitAsync(Guard);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False(aborted.Task.IsCompleted);
        response.Dispose();

        await aborted.Task.WaitAsync(Guard);
    }

    [Fact]
    public async Task SendAsync_Request_ReachesTheHandlerWithMethodPathQueryHeadersAndBody()
    {
        using var client = InProcessClient(new InProcessApiHandler(Echo, _host.Server.Services));
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/namespaces/a%20b/configmaps/x?labelSelector=a%3Db&watch=1")
        {
            Content = new StringContent("{\"body\":true}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", "kubectl/v1.34.0 (linux/amd64) kubernetes/abc");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("application/yaml");

        using var response = await client.SendAsync(request);
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("PUT", echo["method"]!.GetValue<string>());
        Assert.Equal("/api/v1/namespaces/a b/configmaps/x", echo["path"]!.GetValue<string>());
        Assert.Equal("a=b", echo["labelSelector"]!.GetValue<string>());
        Assert.Equal("kubectl/v1.34.0 (linux/amd64) kubernetes/abc", echo["userAgent"]!.GetValue<string>());
        Assert.Equal("application/json, application/yaml", echo["accept"]!.GetValue<string>());
        Assert.Equal("application/json; charset=utf-8", echo["contentType"]!.GetValue<string>());
        Assert.Equal("{\"body\":true}", echo["body"]!.GetValue<string>());
        Assert.Equal("in-process.apicache.invalid", echo["host"]!.GetValue<string>());
        Assert.Equal("yes", response.Headers.GetValues("X-Echo").Single());
    }

    [Fact]
    public async Task SendAsync_HandlerFailsBeforeAnswering_ThrowsHttpRequestException()
    {
        using var client = InProcessClient(new InProcessApiHandler(_ => throw new InvalidOperationException("boom"), _host.Server.Services));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("/x", UriKind.Relative)));

        Assert.Contains("boom", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_HandlerFailsMidway_TheBodyEndsWithAnIOException()
    {
        using var client = InProcessClient(new InProcessApiHandler(
            async context =>
            {
                await context.Response.WriteAsync("partial\n", context.RequestAborted);
                throw new InvalidOperationException("broken");
            },
            _host.Server.Services));

        using var response = await client.GetAsync(new Uri("/x", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("partial", await reader.ReadLineAsync().WaitAsync(Guard));
        await Assert.ThrowsAsync<IOException>(() => reader.ReadLineAsync().WaitAsync(Guard));
    }

    private const string BaseAddress = "http://in-process.apicache.invalid/";

    private static HttpClient InProcessClient(HttpMessageHandler handler) =>
        new(handler, disposeHandler: true) { BaseAddress = new Uri(BaseAddress) };

    private InProcessApiHandler Handler() => new(_host.Server.Services.GetRequiredService<ResourceApi>(), _host.Server.Services);

    /// <summary>Starts a 202 response, writes one line, then waits until the request is aborted and reports it.</summary>
    private static RequestDelegate StreamUntilAborted(TaskCompletionSource aborted) => async context =>
    {
        try
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            await context.Response.WriteAsync("started\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            aborted.TrySetResult();
        }
    };

    /// <summary>Answers with what the request carried, as JSON.</summary>
    private static async Task Echo(HttpContext context)
    {
        using var body = new StreamReader(context.Request.Body);
        var echo = new JsonObject
        {
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
            ["labelSelector"] = context.Request.Query["labelSelector"].ToString(),
            ["userAgent"] = context.Request.Headers.UserAgent.ToString(),
            ["accept"] = context.Request.Headers.Accept.ToString(),
            ["contentType"] = context.Request.ContentType,
            ["host"] = context.Request.Host.Value,
            ["body"] = await body.ReadToEndAsync(context.RequestAborted),
        };
        context.Response.Headers["X-Echo"] = "yes";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(echo.ToJsonString(), context.RequestAborted);
    }
}
