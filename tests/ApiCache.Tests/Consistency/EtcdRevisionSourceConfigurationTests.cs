using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Tests.Consistency;

/// <summary>Choosing the etcd revision source from configuration, and checking its settings at start-up.</summary>
public sealed class EtcdRevisionSourceConfigurationTests
{
    [Fact]
    public async Task AddApiCache_SourceEtcd_ResolvesEtcdRevisionSource()
    {
        await using var services = Build(new()
        {
            ["ApiCache:ConsistentReads:Source"] = "Etcd",
            ["ApiCache:ConsistentReads:Etcd:Endpoints:0"] = "http://127.0.0.1:2379",
        });

        var source = services.GetRequiredService<IRevisionSource>();

        Assert.IsType<EtcdRevisionSource>(source);
        Assert.Same(source, services.GetRequiredService<IRevisionSource>());
    }

    [Fact]
    public async Task AddApiCache_SourceQuorumProbe_ResolvesTheQuorumProbe()
    {
        await using var services = Build(new()
        {
            ["ApiCache:ConsistentReads:Source"] = "QuorumProbe",
            ["ApiCache:Upstream:Servers:0:Url"] = "http://127.0.0.1:1",
        });

        Assert.Same(services.GetRequiredService<QuorumProbeRevisionSource>(), services.GetRequiredService<IRevisionSource>());
    }

    [Fact]
    public async Task AddApiCache_HostRegistersItsOwnSource_ReplacesTheConfiguredOne()
    {
        var own = new StubSource();
        await using var services = Build(
            new()
            {
                ["ApiCache:ConsistentReads:Source"] = "Etcd",
                ["ApiCache:ConsistentReads:Etcd:Endpoints:0"] = "http://127.0.0.1:2379",
            },
            s => s.AddSingleton<IRevisionSource>(own));

        Assert.Same(own, services.GetRequiredService<IRevisionSource>());
    }

    [Fact]
    public void Validate_EtcdWithoutEndpoints_NamesTheKey()
    {
        var options = new ApiCacheOptions();
        options.ConsistentReads.Source = RevisionSourceKind.Etcd;

        var failures = Failures(options);

        Assert.Equal(
            ["ApiCache:ConsistentReads:Etcd:Endpoints must list at least one etcd client URL (e.g. https://127.0.0.1:2379) when ApiCache:ConsistentReads:Source is Etcd."],
            failures);
    }

    [Fact]
    public void Validate_EtcdEndpointNotAnHttpUrl_NamesItsIndex()
    {
        var options = new ApiCacheOptions();
        options.ConsistentReads.Source = RevisionSourceKind.Etcd;
        options.ConsistentReads.Etcd.Endpoints.Add("https://10.0.0.1:2379");
        options.ConsistentReads.Etcd.Endpoints.Add("etcd-0:2379");

        var failures = Failures(options);

        Assert.Equal(["ApiCache:ConsistentReads:Etcd:Endpoints:1 'etcd-0:2379' is not an absolute http or https URL."], failures);
    }

    [Fact]
    public void Validate_EtcdCertWithoutKeyAndMissingFiles_NamesEachKey()
    {
        using var directory = new TempDirectory();
        var options = new ApiCacheOptions();
        options.ConsistentReads.Source = RevisionSourceKind.Etcd;
        options.ConsistentReads.Etcd.Endpoints.Add("https://127.0.0.1:2379");
        options.ConsistentReads.Etcd.CertFile = directory.Write("client.crt", "x");
        var missingCa = Path.Join(directory.Path, "missing-ca.crt");
        options.ConsistentReads.Etcd.CaFile = missingCa;
        options.ConsistentReads.Etcd.RequestTimeout = TimeSpan.Zero;

        var failures = Failures(options);

        Assert.Equal(
            [
                "ApiCache:ConsistentReads:Etcd:CertFile and ApiCache:ConsistentReads:Etcd:KeyFile go together: set both (a client certificate and its key) or neither.",
                $"ApiCache:ConsistentReads:Etcd:CaFile '{missingCa}' does not exist; fix the path or create the file.",
                "ApiCache:ConsistentReads:Etcd:RequestTimeout must be positive (got 00:00:00).",
            ],
            failures);
    }

    [Fact]
    public void Validate_EtcdComplete_Passes()
    {
        using var directory = new TempDirectory();
        var options = new ApiCacheOptions();
        options.ConsistentReads.Source = RevisionSourceKind.Etcd;
        options.ConsistentReads.Etcd.Endpoints.Add("https://127.0.0.1:2379");
        options.ConsistentReads.Etcd.CaFile = directory.Write("ca.crt", "x");
        options.ConsistentReads.Etcd.CertFile = directory.Write("client.crt", "x");
        options.ConsistentReads.Etcd.KeyFile = directory.Write("client.key", "x");

        Assert.Empty(Failures(options));
    }

    [Fact]
    public void Validate_QuorumProbe_IgnoresEtcdSettings()
    {
        var options = new ApiCacheOptions();
        options.ConsistentReads.Etcd.Endpoints.Add("not a url");
        options.ConsistentReads.Etcd.CertFile = "/nonexistent/client.crt";

        Assert.Empty(Failures(options));
    }

    private static List<string> Failures(ApiCacheOptions options)
    {
        var result = new ApiCacheOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        // Trusted: these upstreams have no credentials for the proxy, which authenticating callers would need.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings)
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ApiCache:Security:Mode"] = "Trusted" }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddApiCache(configuration);
        more?.Invoke(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true });
    }

    private sealed class StubSource : IRevisionSource
    {
        public ValueTask<RevisionTarget> GetTargetAsync(CachedResourceReference resource, long cachedRevision, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new RevisionTarget(cachedRevision, cachedRevision));
    }
}
