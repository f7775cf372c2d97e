using System.Globalization;

namespace ApiCache.LoadTests;

/// <summary>
/// Options of the <c>list</c> mode: the seeded cluster's size and how long and how wide each run is.
/// Every value is range-checked, so each run stays bounded in time and count.
/// </summary>
internal sealed record ListBenchmarkOptions
{
    /// <summary>Pods the dev server seeds.</summary>
    public int Pods { get; init; } = 10_000;

    /// <summary>Nodes the dev server seeds (default: one per 20 pods, the kubelet's usual share).</summary>
    public int Nodes { get; init; }

    /// <summary>Measured seconds per target and scenario.</summary>
    public int Seconds { get; init; } = 10;

    /// <summary>Warm-up seconds per target and scenario (same client and connections as the measured run).</summary>
    public int WarmupSeconds { get; init; } = 2;

    /// <summary>Closed-loop connections for the selective reads.</summary>
    public int Connections { get; init; } = 8;

    /// <summary>Closed-loop connections for the full LIST (each answer is the whole cluster).</summary>
    public int FullListConnections { get; init; } = 2;

    /// <summary>Upper bound of requests per run.</summary>
    public int MaxRequests { get; init; } = 1_000_000;

    /// <summary>Usage text.</summary>
    public const string Usage =
        "list [--pods 10000] [--nodes pods/20] [--seconds 10] [--warmup 2] [--connections 8] [--full-connections 2] [--max-requests 1000000]";

    /// <summary>Parses <c>--name value</c> pairs; throws <see cref="ArgumentException"/> naming a bad one.</summary>
    public static ListBenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ListBenchmarkOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{args[i]} needs a value. Usage: {Usage}");
            }

            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--pods" => options with { Pods = Check(value, 1, 1_000_000, args[i]) },
                "--nodes" => options with { Nodes = Check(value, 1, 100_000, args[i]) },
                "--seconds" => options with { Seconds = Check(value, 1, 600, args[i]) },
                "--warmup" => options with { WarmupSeconds = Check(value, 0, 60, args[i]) },
                "--connections" => options with { Connections = Check(value, 1, 256, args[i]) },
                "--full-connections" => options with { FullListConnections = Check(value, 1, 64, args[i]) },
                "--max-requests" => options with { MaxRequests = Check(value, 1, 100_000_000, args[i]) },
                _ => throw new ArgumentException($"Unknown option {args[i]}. Usage: {Usage}"),
            };
        }

        return options.Nodes > 0 ? options : options with { Nodes = Math.Max(1, options.Pods / 20) };
    }

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{name} must be between {min} and {max}. Usage: {Usage}");
}
