using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Caching;
using ApiCache.Tests.DevServer.Differential;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// The end-to-end security set-up: the dev API server in-process over HTTPS with a policy file
/// (<see cref="SecurityPolicyText"/>), seeded with the fixtures' cluster (team-a, team-b, node-1..3,
/// pods on the nodes, configmaps), and ApiCache in front of it in Authenticate mode over HTTPS,
/// asking for client certificates (checked against the same client CA as the dev server's),
/// reviewing tokens and access with the upstream, caching pods (by spec.nodeName), nodes and
/// configmaps, and forwarding with the caller's identity. Both sides can be called with the same
/// <see cref="TestIdentity"/>. The real sidecar process can be started in front of the same dev
/// server (<see cref="StartSidecarAsync"/>).
/// </summary>
internal sealed class SecureCluster : IAsyncDisposable
{
    /// <summary>How long the proxy reuses an access decision: short, so that a policy change shows quickly.</summary>
    public static readonly TimeSpan DecisionTtl = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(string Identity, Route Route, Version Version), HttpClient> _clients = [];
    private readonly Lock _gate = new();
    private X509Certificate2? _proxyCertificate;

    private SecureCluster(TempDirectory directory, TestPki pki, TestPki frontProxyPki, IdentityForwardingMode forwarding)
    {
        Directory = directory;
        Pki = pki;
        FrontProxyPki = frontProxyPki;
        Forwarding = forwarding;
        CaFile = directory.Write("ca.crt", pki.CaPem);
        FrontProxyCaFile = directory.Write("front-proxy-ca.crt", frontProxyPki.CaPem);
        PolicyFile = directory.Write("policy.yaml", SecurityPolicyText.Initial);
        using (var devServing = pki.IssueServer())
        {
            (DevServerCertificateFile, DevServerKeyFile) = TestPki.WritePem(devServing, directory, "dev-server");
        }

        using (var proxyServing = pki.IssueServer())
        {
            (ProxyCertificateFile, ProxyKeyFile) = TestPki.WritePem(proxyServing, directory, "proxy");
        }

        using (var frontProxyClient = frontProxyPki.IssueClient("front-proxy-client"))
        {
            (FrontProxyCertificateFile, FrontProxyKeyFile) = TestPki.WritePem(frontProxyClient, directory, "front-proxy-client");
        }

        Admin = new TestIdentity("admin-token", "admin-token", null);
        AliceToken = new TestIdentity("alice-token", "alice-token", null);
        AliceCertificate = new TestIdentity("alice-cert", null, pki.IssueClient("alice", "developers"));
        NodeToken = new TestIdentity("node1-token", "node1-token", null);
        NodeCertificate = new TestIdentity("node1-cert", null, pki.IssueClient("system:node:node-1", "system:nodes"));
        BadToken = new TestIdentity("bad-token", "bad-token", null);
        Anonymous = new TestIdentity("none", null, null);
    }

    public TempDirectory Directory { get; }

    /// <summary>Issues the serving certificates and the users' client certificates; its CA is the client CA of both servers.</summary>
    public TestPki Pki { get; }

    /// <summary>The front-proxy CA (the dev server's request-header CA).</summary>
    public TestPki FrontProxyPki { get; }

    public IdentityForwardingMode Forwarding { get; }

    public string CaFile { get; }

    public string FrontProxyCaFile { get; }

    public string PolicyFile { get; }

    public string DevServerCertificateFile { get; }

    public string DevServerKeyFile { get; }

    public string ProxyCertificateFile { get; }

    public string ProxyKeyFile { get; }

    public string FrontProxyCertificateFile { get; }

    public string FrontProxyKeyFile { get; }

    public TestIdentity Admin { get; }

    public TestIdentity AliceToken { get; }

    public TestIdentity AliceCertificate { get; }

    public TestIdentity NodeToken { get; }

    public TestIdentity NodeCertificate { get; }

    public TestIdentity BadToken { get; }

    public TestIdentity Anonymous { get; }

    /// <summary>Every identity of the matrix, in a fixed order.</summary>
    public IReadOnlyList<TestIdentity> Identities => [Admin, AliceToken, AliceCertificate, NodeToken, NodeCertificate, BadToken, Anonymous];

    public DevServerHost DevServer { get; private set; } = null!;

    /// <summary>ApiCache in-process, over HTTPS.</summary>
    public LoopbackServer Proxy { get; private set; } = null!;

    private InMemoryRevisionedStore Store { get; set; } = null!;

    /// <summary>Starts everything and returns once the proxy's caches are ready.</summary>
    public static async Task<SecureCluster> StartAsync(IdentityForwardingMode forwarding = IdentityForwardingMode.Impersonate)
    {
        var cluster = new SecureCluster(new TempDirectory(), new TestPki("apicache-e2e-ca"), new TestPki("apicache-e2e-front-proxy-ca"), forwarding);
        try
        {
            await cluster.StartServersAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The base address of <paramref name="route"/>.</summary>
    public Uri Address(Route route) => route == Route.Direct ? DevServer.Address : Proxy.Address;

    /// <summary>
    /// A client for <paramref name="identity"/> on <paramref name="route"/> (HTTP/2 unless
    /// <paramref name="version"/> says otherwise), trusting the test CA only; shared per
    /// identity, route and version, disposed with the cluster.
    /// </summary>
    public HttpClient Client(TestIdentity identity, Route route, Version? version = null)
    {
        version ??= HttpVersion.Version20;
        lock (_gate)
        {
            if (!_clients.TryGetValue((identity.Name, route, version), out var client))
            {
                client = CreateClient(identity, Address(route), version);
                _clients[(identity.Name, route, version)] = client;
            }

            return client;
        }
    }

    /// <summary>A new client for <paramref name="identity"/> against <paramref name="server"/> (the caller disposes it).</summary>
    public HttpClient CreateClient(TestIdentity identity, Uri server, Version version)
    {
        var ca = Pki.Ca;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => ChainsTo(certificate, ca),
            },
        };
        if (identity.Certificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        var client = new HttpClient(handler)
        {
            BaseAddress = server,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("apicache-e2e/v1.0.0 (linux/amd64) kubernetes/test");
        if (identity.Token is { } token)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Replaces the policy file (the dev server reads it again on its next request).</summary>
    public async Task WritePolicyAsync(string policy)
    {
        // Write beside and move over it, so the dev server never reads half a file.
        var staging = Path.Join(Directory.Path, "policy.yaml.new");
        await File.WriteAllTextAsync(staging, policy);
        File.Move(staging, PolicyFile, overwrite: true);
    }

    /// <summary>Returns once every proxy cache has reached the dev server's current revision.</summary>
    public async Task SyncAsync()
    {
        var revision = await Store.GetRevisionAsync(CancellationToken.None);
        foreach (var resource in Proxy.Services.GetRequiredService<CacheRegistry>().Resources)
        {
            await CacheWait.UntilFreshAsync(resource.Cache, revision);
        }
    }

    /// <summary>
    /// The real sidecar process in Authenticate mode in front of the dev server, serving HTTPS only
    /// with the proxy's certificate; started once its HTTPS address is printed and its pods cache
    /// answers (checked as admin).
    /// </summary>
    public async Task<SidecarProcess> StartSidecarAsync()
    {
        string[] args =
        [
            "--ApiCache:Upstream:Servers:0:Url=" + DevServer.Address.GetLeftPart(UriPartial.Authority),
            "--ApiCache:Upstream:Servers:0:BearerToken=" + SecurityPolicyText.ProxyToken,
            "--ApiCache:Upstream:Servers:0:CertificateAuthorityFile=" + CaFile,
            "--ApiCache:Security:Mode=Authenticate",
            "--ApiCache:Security:Authentication:ClientCaFile=" + CaFile,
            "--ApiCache:Security:Authentication:Anonymous=true",
            "--ApiCache:Security:Authorization:AllowTtl=" + DecisionTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            "--ApiCache:Security:Authorization:DenyTtl=" + DecisionTtl.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            "--ApiCache:Cache:Resources:0:Resource=pods",
            "--ApiCache:Cache:Resources:0:IndexedFields:0=spec.nodeName",
            "--ApiCache:Cache:Resources:1:Resource=nodes",
            "--ApiCache:Cache:Resources:2:Resource=configmaps",
            "--Sidecar:Listen=",
            "--Sidecar:Https:Listen=https://127.0.0.1:0",
            "--Sidecar:Https:CertificateFile=" + ProxyCertificateFile,
            "--Sidecar:Https:KeyFile=" + ProxyKeyFile,
        ];
        var sidecar = await SidecarProcess.StartAsync(args);
        try
        {
            using var admin = CreateClient(Admin, sidecar.HttpsAddress!, HttpVersion.Version20);
            using var pods = await WarmCache.GetAsync(admin, "/api/v1/pods");
            Assert.True(pods.StatusCode == HttpStatusCode.OK, $"the sidecar answered admin's pod list with {(int)pods.StatusCode}: {await pods.Content.ReadAsStringAsync()}\n{string.Join("\n", sidecar.StandardOutputLines)}");
            return sidecar;
        }
        catch
        {
            await sidecar.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var client in _clients.Values)
            {
                client.Dispose();
            }

            _clients.Clear();
        }

        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (DevServer is not null)
        {
            await DevServer.DisposeAsync();
        }

        if (Store is not null)
        {
            await Store.DisposeAsync();
        }

        _proxyCertificate?.Dispose();
        AliceCertificate.Certificate?.Dispose();
        NodeCertificate.Certificate?.Dispose();
        FrontProxyPki.Dispose();
        Pki.Dispose();
        Directory.Dispose();
    }

    private static bool ChainsTo(X509Certificate? presented, X509Certificate2 ca)
    {
        if (presented is null)
        {
            return false;
        }

        using var certificate = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private async Task StartServersAsync()
    {
        // Seeded through a dev server without a policy over the same store (the fixtures' seeder
        // speaks plain, unauthenticated HTTP), then served by the secured one.
        Store = new InMemoryRevisionedStore(new InMemoryStoreOptions { ProgressInterval = TimeSpan.FromMilliseconds(50) });
        await using (var seeder = await DevServerHost.StartAsync(store: Store))
        {
            await FixtureClusterSeed.SeedAsync(seeder);
        }

        DevServer = await DevServerHost.StartAsync(
            options =>
            {
                options.BookmarkInterval = TimeSpan.FromMilliseconds(200);
                options.Tls.CertificateFile = DevServerCertificateFile;
                options.Tls.KeyFile = DevServerKeyFile;
                options.Tls.ClientCaFile = CaFile;
                options.Tls.RequestHeaderClientCaFile = FrontProxyCaFile;
                options.Tls.RequestHeaderAllowedNames.Add("front-proxy-client");
                options.Security.PolicyFile = PolicyFile;
            },
            Store);

        var proxyCertificate = _proxyCertificate = X509Certificate2.CreateFromPemFile(ProxyCertificateFile, ProxyKeyFile);
        Proxy = await LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services => services.AddApiCache(ConfigureProxy),
            configureKestrel: kestrel => kestrel.ConfigureHttpsDefaults(https =>
            {
                // As the sidecar's HTTPS listener: ask for a client certificate, judge it in ApiCache.
                https.ServerCertificate = proxyCertificate;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = static (_, _, _) => true;
            }),
            https: true);
        foreach (var resource in Proxy.Services.GetRequiredService<CacheRegistry>().Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }
    }

    private void ConfigureProxy(ApiCacheOptions options)
    {
        options.Upstream.Servers.Add(new UpstreamServerOptions
        {
            Url = DevServer.Address.GetLeftPart(UriPartial.Authority),
            BearerToken = SecurityPolicyText.ProxyToken,
            CertificateAuthorityFile = CaFile,
        });
        options.Cache.Enabled = true;
        options.Cache.Resources =
        [
            new() { Resource = "pods", IndexedFields = ["spec.nodeName"] },
            new() { Resource = "nodes" },
            new() { Resource = "configmaps" },
        ];
        options.ConsistentReads.WaitTimeout = TimeSpan.FromSeconds(10);
        options.Security.Mode = SecurityMode.Authenticate;
        options.Security.Authentication.ClientCaFile = CaFile;
        options.Security.Authentication.Anonymous = true;
        options.Security.Authorization.AllowTtl = DecisionTtl;
        options.Security.Authorization.DenyTtl = DecisionTtl;
        options.Security.Forwarding.Mode = Forwarding;
        if (Forwarding == IdentityForwardingMode.FrontProxy)
        {
            options.Security.Forwarding.FrontProxyCertificateFile = FrontProxyCertificateFile;
            options.Security.Forwarding.FrontProxyKeyFile = FrontProxyKeyFile;
        }
    }
}
