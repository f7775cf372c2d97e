using System.Globalization;

namespace ApiCache.LoadTests;

/// <summary>Options of the <c>watch</c> mode (<see cref="WatchBenchmark"/>), parsed from <c>--name value</c> pairs.</summary>
internal sealed record WatchBenchmarkOptions
{
    /// <summary>Nodes the dev server seeds; one group of nodeName watchers per node.</summary>
    public int Nodes { get; init; } = 10_000;

    /// <summary>Pods the dev server seeds (default: two per node).</summary>
    public int Pods { get; init; }

    /// <summary>Watchers per node, each with <c>fieldSelector=spec.nodeName=node-X</c>.</summary>
    public int WatchersPerNode { get; init; } = 1;

    /// <summary>Watchers of all pods (no selector).</summary>
    public int Unfiltered { get; init; } = 100;

    /// <summary>Pod patches per second the writer aims at.</summary>
    public int Rate { get; init; } = 1_000;

    /// <summary>Seconds of writing (measured).</summary>
    public int Duration { get; init; } = 60;

    /// <summary>
    /// Where the watchers connect: the sidecar serving watches from its cache (its upstream the dev server),
    /// the sidecar forwarding every watch (<c>ApiCache:Watch:Enabled=false</c>), or the dev server directly.
    /// </summary>
    public string Target { get; init; } = "sidecar";

    /// <summary>HTTP version of the watch streams: 1 (one connection per watcher) or 2 (multiplexed, 100 streams per connection).</summary>
    public int Http { get; init; } = 1;

    /// <summary>Concurrent PATCH requests the writer may have in flight.</summary>
    public int WriterConnections { get; init; } = 32;

    /// <summary>Seconds the run waits after the last write for the watchers to catch up.</summary>
    public int DrainSeconds { get; init; } = 15;

    /// <summary>Whether the watchers go to the sidecar.</summary>
    public bool ViaSidecar => Target is "sidecar" or "forwarded";

    /// <summary>Extra sidecar arguments (<c>--sidecar-arg --ApiCache:Watch:BufferEvents=1000</c>, repeatable).</summary>
    public IReadOnlyList<string> SidecarArgs { get; init; } = [];

    /// <summary>All watchers.</summary>
    public int Watchers => (Nodes * WatchersPerNode) + Unfiltered;

    /// <summary>Usage text.</summary>
    public const string Usage =
        "watch [--nodes 10000] [--pods 2*nodes] [--watchers-per-node 1] [--unfiltered 100] [--rate 1000] [--duration 60] [--target sidecar|forwarded|direct] [--sidecar-arg --Key=Value]... [--http 1|2] [--writer-connections 32] [--drain 15]";

    /// <summary>Parses <c>--name value</c> pairs; throws <see cref="ArgumentException"/> naming a bad one.</summary>
    public static WatchBenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new WatchBenchmarkOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            }

            if (args[i] == "--target")
            {
                options = args[i + 1] is "sidecar" or "forwarded" or "direct"
                    ? options with { Target = args[i + 1] }
                    : throw new ArgumentException($"--target must be sidecar, forwarded or direct. Usage: {Usage}");
                continue;
            }

            if (args[i] == "--sidecar-arg")
            {
                options = options with { SidecarArgs = [.. options.SidecarArgs, args[i + 1]] };
                continue;
            }

            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--nodes" => options with { Nodes = Check(value, 1, 20_000, args[i]) },
                "--pods" => options with { Pods = Check(value, 1, 200_000, args[i]) },
                "--watchers-per-node" => options with { WatchersPerNode = Check(value, 0, 10, args[i]) },
                "--unfiltered" => options with { Unfiltered = Check(value, 0, 1_000, args[i]) },
                "--rate" => options with { Rate = Check(value, 1, 20_000, args[i]) },
                "--duration" => options with { Duration = Check(value, 1, 600, args[i]) },
                "--http" => options with { Http = Check(value, 1, 2, args[i]) },
                "--writer-connections" => options with { WriterConnections = Check(value, 1, 256, args[i]) },
                "--drain" => options with { DrainSeconds = Check(value, 1, 120, args[i]) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Usage: {Usage}"),
            };
        }

        if (options.Watchers is 0 or > 25_000)
        {
            throw new ArgumentException($"nodes x watchers-per-node + unfiltered must be between 1 and 25000 (is {options.Watchers}). Usage: {Usage}");
        }

        return options.Pods > 0 ? options : options with { Pods = options.Nodes * 2 };
    }

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{name} must be between {min} and {max}. Usage: {Usage}");
}
