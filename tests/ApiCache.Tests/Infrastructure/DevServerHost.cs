using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
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
/// default), with an HttpClient pointed at it and helpers that speak its JSON. With
/// <c>o.Tls</c> (certificate and key files) it serves https://127.0.0.1:port through the same
/// Kestrel setup as the host program, and its clients trust exactly that serving certificate;
/// <c>o.Security.PolicyFile</c> turns on authentication and authorization.
/// </summary>
internal sealed class DevServerHost : IAsyncDisposable
{
    public const string UserAgent = "apicache-tests/v1.0.0 (linux/amd64) kubernetes/test";

    private readonly X509Certificate2? _serverCertificate;
    private readonly List<HttpClient> _clients = [];

    private DevServerHost(LoopbackServer server, X509Certificate2? serverCertificate, X509Certificate2? clientCertificate)
    {
        Server = server;
        _serverCertificate = serverCertificate;
        Client = CreateClient(clientCertificate);
    }

    public LoopbackServer Server { get; }

    public HttpClient Client { get; }

    public Uri Address => Server.Address;

    public IRevisionedStore Store => Server.Services.GetRequiredService<IRevisionedStore>();

    /// <summary>
    /// Starts a dev server; <paramref name="store"/> null means a fresh in-memory store. With TLS
    /// configured, <see cref="Client"/> presents <paramref name="clientCertificate"/> when given.
    /// </summary>
    public static async Task<DevServerHost> StartAsync(
        Action<DevServerOptions>? configure = null, IRevisionedStore? store = null, X509Certificate2? clientCertificate = null)
    {
        // The TLS settings decide how Kestrel listens, so they are read now, as AddDevServer reads EmbedCache.
        var probe = new DevServerOptions();
        configure?.Invoke(probe);
        var tls = probe.Tls;
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
            },
            tls.ServesHttps ? kestrel => kestrel.UseDevServerTls(tls) : null,
            https: tls.ServesHttps);
        var serverCertificate = tls.ServesHttps ? X509Certificate2.CreateFromPem(File.ReadAllText(tls.CertificateFile!)) : null;
        return new DevServerHost(server, serverCertificate, clientCertificate);
    }

    /// <summary>
    /// Another client of this server (disposed with it): the tests' User-Agent, the serving
    /// certificate trusted when TLS is on, <paramref name="clientCertificate"/> presented when given,
    /// <paramref name="bearerToken"/> sent when given.
    /// </summary>
    public HttpClient CreateClient(X509Certificate2? clientCertificate = null, string? bearerToken = null)
    {
        var handler = new SocketsHttpHandler();
        if (_serverCertificate is { } trusted)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && certificate.GetRawCertData().AsSpan().SequenceEqual(trusted.RawData);
            if (clientCertificate is not null)
            {
                handler.SslOptions.ClientCertificates = [clientCertificate];
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
            }
        }

        var client = new HttpClient(handler) { BaseAddress = Server.Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }

        _clients.Add(client);
        return client;
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
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _serverCertificate?.Dispose();
        await Server.DisposeAsync();
    }
}
