using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ApiCache.Sidecar;

/// <summary>
/// "No cluster configured": when no upstream source is set (no ApiCache:Upstream:Servers,
/// Kubeconfig or InCluster), the sidecar starts the dev API server in-process on a free loopback
/// port — in memory, seeded with a small synthetic cluster — and proxies to it, so a first run on
/// a fresh machine gives a working endpoint.
/// </summary>
internal sealed class BuiltInDevServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BuiltInDevServer(WebApplication app, Uri address, SeedingOptions seed)
    {
        _app = app;
        Address = address;
        Seed = seed;
    }

    /// <summary>Where the dev server listens.</summary>
    public Uri Address { get; }

    /// <summary>What it was seeded with.</summary>
    public SeedingOptions Seed { get; }

    /// <summary>True when the configuration names no upstream apiserver.</summary>
    public static bool IsNeeded(IConfiguration configuration)
    {
        var upstream = configuration.GetSection("ApiCache:Upstream");
        return !upstream.GetSection("Servers").GetChildren().Any()
            && string.IsNullOrEmpty(upstream["Kubeconfig"])
            && !upstream.GetValue<bool>("InCluster");
    }

    /// <summary>
    /// Starts the dev server with the <c>DevServer</c> section of <paramref name="configuration"/>
    /// (seeding 3 nodes, 30 pods and 10 configmaps in 3 namespaces unless DevServer:Seed says otherwise).
    /// </summary>
    public static async Task<BuiltInDevServer> StartAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        SidecarLogging.Configure(builder.Logging);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var seed = new SeedingOptions();
        builder.Services.AddDevServer(options =>
        {
            configuration.GetSection(DevServerOptions.SectionName).Bind(options);
            if (!options.Seed.Enabled && configuration.GetSection("DevServer:Seed").GetChildren().All(c => c.Value is null))
            {
                options.Seed = new SeedingOptions { Nodes = 3, Pods = 30, ConfigMaps = 10, Namespaces = 3 };
            }

            seed = options.Seed;
        });
        var app = builder.Build();
        app.MapDevServer();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BuiltInDevServer(app, new Uri(address), seed);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
