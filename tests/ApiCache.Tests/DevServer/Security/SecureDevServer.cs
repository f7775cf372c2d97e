using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApiCache.DevServer.Configuration;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Security;

/// <summary>
/// A dev server with a policy file (in a temp directory) holding the identities of the fixtures
/// (admin, alice, node-1, the proxy's service account), clients for each, the fixtures' cluster
/// seeding, and the replay of a fixture's recorded request.
/// </summary>
internal sealed partial class SecureDevServer : IAsyncDisposable
{
    /// <summary>The identities and rules of the recorded cluster (plus the proxy's service account).</summary>
    public const string StandardPolicy = """
        users:
          - name: admin
            groups: [system:masters]
            tokens: [admin-token]
          - name: alice
            uid: alice-uid
            groups: [developers]
            tokens: [alice-token]
          - name: system:node:node-1
            uid: node-1-uid
            groups: [system:nodes]
            tokens: [node1-token]
          - name: system:serviceaccount:kube-system:apicache
            uid: apicache-uid
            tokens: [apicache-token]
        rules:
          - name: alice-pod-reader
            role: pod-reader
            users: [alice]
            verbs: [get, list, watch]
            apiGroups: [""]
            resources: [pods]
            namespaces: [team-a]
          - name: system:discovery
            groups: [system:authenticated]
            verbs: [get]
            nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi/*"]
          - name: apicache-impersonator
            users: [system:serviceaccount:kube-system:apicache]
            verbs: [impersonate]
            apiGroups: [""]
            resources: [users, groups, serviceaccounts]
          - name: apicache-impersonator-extras
            users: [system:serviceaccount:kube-system:apicache]
            verbs: [impersonate]
            apiGroups: [authentication.k8s.io]
            resources: [uids, userextras/*]
        """;

    private SecureDevServer(TempDirectory directory, string policyFile, DevServerHost host)
    {
        Directory = directory;
        PolicyFile = policyFile;
        Host = host;
        Admin = host.CreateClient(bearerToken: "admin-token");
    }

    public TempDirectory Directory { get; }

    public string PolicyFile { get; }

    public DevServerHost Host { get; }

    /// <summary>A client of system:masters.</summary>
    public HttpClient Admin { get; }

    /// <summary>
    /// Starts a dev server with <paramref name="policy"/>; <paramref name="configure"/> may set more
    /// (TLS files written to the directory it is given), <paramref name="clientCertificate"/> is
    /// presented by <see cref="DevServerHost.Client"/>.
    /// </summary>
    public static async Task<SecureDevServer> StartAsync(
        string policy = StandardPolicy, Action<DevServerOptions, TempDirectory>? configure = null, X509Certificate2? clientCertificate = null)
    {
        var directory = new TempDirectory();
        try
        {
            var policyFile = directory.Write("policy.yaml", policy);
            var host = await DevServerHost.StartAsync(
                options =>
                {
                    options.Security.PolicyFile = policyFile;
                    configure?.Invoke(options, directory);
                },
                clientCertificate: clientCertificate);
            return new SecureDevServer(directory, policyFile, host);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>The client of a fixture identity (manifest.tsv): admin, alice, node1, bad or none.</summary>
    public HttpClient ClientFor(string identity) => identity switch
    {
        "admin" => Admin,
        "alice" => Host.CreateClient(bearerToken: "alice-token"),
        "node1" => Host.CreateClient(bearerToken: "node1-token"),
        "bad" => Host.CreateClient(bearerToken: "not-a-known-token"),
        "none" => Host.CreateClient(),
        _ => throw new ArgumentException($"unknown identity {identity}", nameof(identity)),
    };

    /// <summary>The identity a fixture was recorded with.</summary>
    public static string IdentityOf(string fixture) =>
        File.ReadLines(Path.Join(TestPaths.FixturesDirectory, "manifest.tsv"))
            .Select(line => line.Split('\t'))
            .First(fields => fields[0] == fixture)[1];

    /// <summary>
    /// The recorded cluster's namespaces, nodes and pods (seed/10-nodes.json, seed/20-pods.json) and
    /// its three team configmaps, created as admin.
    /// </summary>
    public async Task SeedFixtureClusterAsync()
    {
        foreach (var name in (string[])["team-a", "team-b"])
        {
            await CreateAsync("/api/v1/namespaces", $$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");
        }

        foreach (var (file, collection) in ((string, string)[])[("10-nodes.json", "nodes"), ("20-pods.json", "pods")])
        {
            var list = JsonNode.Parse(await File.ReadAllTextAsync(Path.Join(TestPaths.FixturesDirectory, "seed", file)))!;
            foreach (var item in list["items"]!.AsArray())
            {
                var ns = item!["metadata"]!["namespace"]?.GetValue<string>();
                item.AsObject().Remove("status");
                await CreateAsync(ns is null ? $"/api/v1/{collection}" : $"/api/v1/namespaces/{ns}/{collection}", item.ToJsonString());
            }
        }

        foreach (var (ns, name) in ((string, string)[])[("team-a", "app-config"), ("team-a", "feature-flags"), ("team-b", "db-config")])
        {
            await CreateAsync($"/api/v1/namespaces/{ns}/configmaps", $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"k":"v"}}""");
        }
    }

    /// <summary>Creates an object as admin; fails the test unless 201.</summary>
    public async Task CreateAsync(string collection, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Admin.PostAsync(collection, content);
        Assert.True((int)response.StatusCode == 201, $"POST {collection}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Sends fixture <paramref name="fixture"/>'s recorded request (method, target, User-Agent,
    /// Accept, Content-Type, body with <c>&lt;token&gt;</c> replaced by <paramref name="token"/>) with <paramref name="client"/>.
    /// </summary>
    public static async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)> ReplayAsync(HttpClient client, string fixture, string? token = null)
    {
        var text = await File.ReadAllTextAsync(Path.Join(TestPaths.FixturesDirectory, fixture + ".request.txt"));
        var split = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = text[..split].Split('\n');
        var body = text[(split + 2)..];
        var requestLine = head[0].Split(' ');
        var request = new HttpRequestMessage(new HttpMethod(requestLine[0]), requestLine[1]);
        string? contentType = null;
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (line[..colon], line[(colon + 1)..].Trim());
            switch (name)
            {
                case "User-Agent" or "Accept":
                    request.Headers.TryAddWithoutValidation(name, value);
                    break;
                case "Content-Type":
                    contentType = value;
                    break;
            }
        }

        if (body.Length > 0)
        {
            request.Content = new StringContent(token is null ? body : body.Replace("<token>", token, StringComparison.Ordinal), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }

        using (request)
        {
            using var response = await client.SendAsync(request);
            var headers = response.Headers.Concat(response.Content.Headers)
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            return ((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
        }
    }

    /// <summary>A review body with its request-time values (managed field time, creation timestamp) blanked out.</summary>
    public static string WithoutTimes(string json) => Times().Replace(json, "\"$1\":\"<time>\"");

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Dispose();
    }

    [GeneratedRegex("\"(time|creationTimestamp)\":\"[0-9TZ:-]+\"")]
    private static partial Regex Times();
}
