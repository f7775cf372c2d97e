using System.Diagnostics;
using System.Globalization;
using ApiCache.Configuration;
using ApiCache.DevServer.Hosting;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.LoadTests;

/// <summary>
/// The <c>balance</c> mode: three dev API server front ends (in-process, one shared store), each
/// behind a TCP relay so it can be restarted on a stable address, and the ApiCache library as a
/// forwarding proxy in front of the three (cache off). For each strategy (the pool, then plain
/// round-robin) it runs steady closed-loop GETs of a non-cached path, restarts one front end midway
/// (down for a few seconds, then a fresh instance behind the same relay) and reports the balance
/// figure (most/fewest requests per front end, counted by the front ends themselves) in a window
/// before the restart, one right after it and one after that, with the errors clients saw.
/// Bounded in time and count.
/// </summary>
internal static class BalanceBenchmark
{
    private const string Path = "/api/v1/namespaces/default/secrets";

    /// <summary>Runs the mode; returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var seconds = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var workers = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        BalancingStrategy[] strategies = args.Count > 2
            ? [Enum.Parse<BalancingStrategy>(args[2], ignoreCase: true)]
            : [BalancingStrategy.LeastOutstanding, BalancingStrategy.RoundRobin];
        var down = TimeSpan.FromSeconds(3);
        Console.WriteLine($"# Balance across three apiserver front ends: {workers} closed-loop clients, 5 s warm-up, then {seconds} s windows: before restarting one front end (down {down.TotalSeconds:0} s), right after it (its recovery included), and settled");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine();
        Console.WriteLine("| strategy | window | requests | per front end | balance (max/min) | client errors |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var strategy in strategies)
        {
            await RunStrategyAsync(strategy, TimeSpan.FromSeconds(seconds), workers, down);
        }

        return 0;
    }

    private static async Task RunStrategyAsync(BalancingStrategy strategy, TimeSpan window, int workers, TimeSpan down)
    {
        var store = new InMemoryRevisionedStore();
        var counters = new long[3];
        var servers = new LoopbackServer[3];
        var relays = new TcpRelay[3];
        for (var i = 0; i < 3; i++)
        {
            servers[i] = await StartFrontEndAsync(store, counters, i);
            relays[i] = TcpRelay.Start(servers[i].Address);
        }

        await using var proxy = await LoopbackServer.StartAsync(
            app => app.MapApiCache(),
            services => services.AddApiCache(options =>
            {
                options.Cache.Enabled = false;
                options.Security.Mode = SecurityMode.Trusted;
                options.Throttling.MaxReadsInFlight = 0;
                foreach (var relay in relays)
                {
                    options.Upstream.Servers.Add(new UpstreamServerOptions { Url = relay.Address.ToString() });
                }

                options.Balancing.Strategy = strategy;
                options.Balancing.HealthCheckPeriod = TimeSpan.FromSeconds(1);
            }));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = workers }) { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(30) };
        var errors = 0L;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            // Bounded: stopped by the token after the run, and by a request cap as a guard.
            for (var n = 0; n < 5_000_000 && !stop.IsCancellationRequested; n++)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri(Path, UriKind.Relative), CancellationToken.None);
                    await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(5)); // warm-up (the first strategy also warms the JIT)
        var before = await MeasureAsync(counters, () => Interlocked.Read(ref errors), window);
        Print(strategy, "before restart", before);

        // Restart front end 2: refuse and cut its connections, stop it, start a fresh one behind the same relay.
        var restart = Stopwatch.StartNew();
        var errorsAtRestart = Interlocked.Read(ref errors);
        relays[2].Refuse = true;
        relays[2].DropConnections();
        await servers[2].DisposeAsync();
        await Task.Delay(down);
        servers[2] = await StartFrontEndAsync(store, counters, 2);
        relays[2].Backend = servers[2].Address;
        relays[2].Refuse = false;
        var duringErrors = Interlocked.Read(ref errors) - errorsAtRestart;
        Console.WriteLine($"| {strategy} | restart ({restart.Elapsed.TotalSeconds:0.0} s down) | | | | {duringErrors} |");

        var after = await MeasureAsync(counters, () => Interlocked.Read(ref errors), window);
        Print(strategy, "after restart", after);
        var settled = await MeasureAsync(counters, () => Interlocked.Read(ref errors), window);
        Print(strategy, "settled", settled);

        await stop.CancelAsync();
        await Task.WhenAll(load);

        // The pool's own view, for the record: health, retries and balance figure per endpoint.
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        foreach (var line in metrics.Split('\n').Where(l => l.StartsWith("apicache_upstream_healthy{", StringComparison.Ordinal)
            || l.StartsWith("apicache_upstream_retries_total{", StringComparison.Ordinal)
            || l.StartsWith("apicache_upstream_balance_ratio", StringComparison.Ordinal)))
        {
            Console.WriteLine($"    {strategy}: {line}");
        }
        foreach (var relay in relays)
        {
            await relay.DisposeAsync();
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }

    private static Task<LoopbackServer> StartFrontEndAsync(IRevisionedStore store, long[] counters, int index) =>
        LoopbackServer.StartAsync(
            app =>
            {
                app.Use((context, next) =>
                {
                    if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref counters[index]);
                    }

                    return next(context);
                });
                app.MapDevServer();
            },
            services =>
            {
                services.AddSingleton(store);
                services.AddDevServer(_ => { });
            });

    private static async Task<(long[] Counts, long Errors)> MeasureAsync(long[] counters, Func<long> errors, TimeSpan window)
    {
        var start = Snapshot(counters);
        var startErrors = errors();
        await Task.Delay(window);
        var end = Snapshot(counters);
        var counts = end.Select((c, i) => c - start[i]).ToArray();
        return (counts, errors() - startErrors);
    }

    private static long[] Snapshot(long[] counters) => [.. Enumerable.Range(0, counters.Length).Select(i => Interlocked.Read(ref counters[i]))];

    private static void Print(BalancingStrategy strategy, string window, (long[] Counts, long Errors) result)
    {
        var (counts, errors) = result;
        var ratio = (double)counts.Max() / Math.Max(1, counts.Min());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {strategy} | {window} | {counts.Sum():N0} | {string.Join(" / ", counts.Select(c => c.ToString("N0", CultureInfo.InvariantCulture)))} | {ratio:0.000} | {errors} |"));
    }
}
