using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Configuration;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Hosting;
using ApiCache.DevServer.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// The dev API server on a real loopback port, over a store the test chooses (in memory by
/// default), with an HttpClient pointed at it and helpers that speak its JSON.
/// </summary>
internal sealed class DevServerHost : IAsyncDisposable
{
    private DevServerHost(LoopbackServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("apicache-tests/v1.0.0 (linux/amd64) kubernetes/test");
    }

    public LoopbackServer Server { get; }

    public HttpClient Client { get; }

    public Uri Address => Server.Address;

    public IRevisionedStore Store => Server.Services.GetRequiredService<IRevisionedStore>();

    /// <summary>Starts a dev server; <paramref name="store"/> null means a fresh in-memory store.</summary>
    public static async Task<DevServerHost> StartAsync(Action<DevServerOptions>? configure = null, IRevisionedStore? store = null)
    {
        var server = await LoopbackServer.StartAsync(
            app => app.MapDevServer(),
            services =>
            {
                if (store is not null)
                {
                    services.AddSingleton(store);
                }

                // An embedded cache (EmbedCache) trusts its callers unless a test configures ApiCache itself afterwards.
                services.Configure<ApiCacheOptions>(static options => options.Security.Mode = SecurityMode.Trusted);
                services.AddDevServer(options =>
                {
                    options.BookmarkInterval = TimeSpan.FromSeconds(1);
                    options.ExtraResources.Add(Widgets());
                    configure?.Invoke(options);
                });
            });
        return new DevServerHost(server);
    }

    /// <summary>The example CRD of the fixtures: example.com/v1 widgets, namespaced, short name wd.</summary>
    public static ExtraResourceOptions Widgets()
    {
        var widgets = new ExtraResourceOptions { Group = "example.com", Version = "v1", Resource = "widgets", Kind = "Widget" };
        widgets.ShortNames.Add("wd");
        widgets.Categories.Add("all");
        return widgets;
    }

    public async Task<(int Status, JsonNode? Body, string Text)> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? json = null;
        try
        {
            json = text.Length > 0 ? JsonNode.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return ((int)response.StatusCode, json, text);
    }

    public Task<(int Status, JsonNode? Body, string Text)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(int Status, JsonNode? Body, string Text)> PostAsync(string path, string body) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>Creates an object and fails the test unless the server answers 201.</summary>
    public async Task<JsonNode> CreateAsync(string collectionPath, string body)
    {
        var (status, json, text) = await PostAsync(collectionPath, body);
        Assert.True(status == 201, $"POST {collectionPath} answered {status}: {text}");
        return json!;
    }

    public Task<JsonNode> CreateNamespaceAsync(string name) =>
        CreateAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");

    public Task<JsonNode> CreateConfigMapAsync(string ns, string name, string labels = "{}", string data = "{\"k\":\"v\"}") =>
        CreateAsync($"/api/v1/namespaces/{ns}/configmaps", $$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{name}}","labels":{{labels}}},"data":{{data}}}""");

    public Task<JsonNode> CreatePodAsync(string ns, string name, string? nodeName = null, string labels = "{}") =>
        CreateAsync($"/api/v1/namespaces/{ns}/pods",
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels + "},\"spec\":{"
            + (nodeName is null ? "" : "\"nodeName\":\"" + nodeName + "\",") + "\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27.3\"}]}}");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
