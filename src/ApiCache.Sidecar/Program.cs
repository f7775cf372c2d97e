using ApiCache.Configuration;
using ApiCache.Sidecar;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

// The ApiCache sidecar: Kestrel in front of one or more kube-apiservers, configured by
// appsettings.json in the working directory, environment variables (ApiCache__Upstream__Kubeconfig)
// and command-line arguments (--ApiCache:Upstream:Kubeconfig=...), later ones winning.
try
{
    var builder = WebApplication.CreateBuilder(args);
    SidecarLogging.Configure(builder.Logging);

    var sidecar = builder.Configuration.GetSection(SidecarOptions.SectionName).Get<SidecarOptions>() ?? new SidecarOptions();
    var needsDevServer = BuiltInDevServer.IsNeeded(builder.Configuration);

    // Listeners and the security mode are checked before anything starts.
    SidecarListeners.Configure(builder, sidecar);
    var securityNotice = SidecarSecurity.Apply(builder.Configuration, sidecar, needsDevServer);
    await using var devServer = needsDevServer
        ? await BuiltInDevServer.StartAsync(builder.Configuration, CancellationToken.None)
        : null;
    if (devServer is not null)
    {
        builder.Configuration["ApiCache:Upstream:Servers:0:Url"] = devServer.Address.ToString().TrimEnd('/');
        Console.WriteLine(
            $"apicache: no upstream apiserver configured (ApiCache:Upstream); started the built-in dev API server on {devServer.Address} " +
            $"(in memory, {devServer.Seed.Nodes} nodes, {devServer.Seed.Pods} pods, {devServer.Seed.ConfigMaps} configmaps)");
    }

    if (securityNotice is not null)
    {
        Console.WriteLine(securityNotice);
    }

    builder.Services.AddApiCache(builder.Configuration);

    var app = builder.Build();
    app.MapApiCache();
    await app.StartAsync();

    // One line per address, for people and for scripts that start the sidecar on port 0.
    var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
    foreach (var address in addresses)
    {
        Console.WriteLine($"apicache: serving on {address}");
    }

    if (devServer is not null && addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal)) is string plain)
    {
        Console.WriteLine($"apicache: try: kubectl --server {plain} get pods -A");
    }

    await app.WaitForShutdownAsync();
    return 0;
}
catch (ApiCacheConfigurationException e)
{
    await Console.Error.WriteLineAsync($"apicache: configuration error: {e.Message}");
    return 2;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"apicache: configuration error: {string.Join(" ", e.Failures)}");
    return 2;
}
catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
{
    // Kestrel wraps "address already in use" in an IOException naming the address.
    await Console.Error.WriteLineAsync($"apicache: cannot listen: {e.Message}");
    return 1;
}
catch (System.Net.Sockets.SocketException e)
{
    // Other bind failures (an address this host does not have) arrive unwrapped.
    await Console.Error.WriteLineAsync($"apicache: cannot listen: {e.Message} (check Sidecar:Listen and Sidecar:Https:Listen)");
    return 1;
}
