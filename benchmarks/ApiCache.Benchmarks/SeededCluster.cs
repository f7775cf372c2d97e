using System.Buffers;
using System.Diagnostics;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Seeding;
using ApiCache.Informers;
using ApiCache.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Benchmarks;

/// <summary>
/// The dev server's seeded cluster as the informer cache receives it: the same generators, options and
/// seed as <c>--DevServer:Seed:Nodes=10000 --DevServer:Seed:Pods=200000</c> (10 namespaces, seed 1, a
/// fixed clock), each object stamped with a resourceVersion the way the dev server writes a LIST item
/// (<see cref="ObjectCodec.WriteStamped"/>) and decoded by an <see cref="ObjectDecoder"/> built from the
/// default cache definitions with one shared <see cref="StringInterner"/>, as the reflectors do.
/// </summary>
/// <remarks>
/// Resource versions follow the seeder's order: node i is at <see cref="FirstResourceVersion"/> + i,
/// pod i after the nodes, and a LIST of either answers at <see cref="ListResourceVersion"/>.
/// </remarks>
internal sealed class SeededCluster
{
    /// <summary>Pods in the benchmarked cluster.</summary>
    public const int DefaultPods = 200_000;

    /// <summary>Nodes in the benchmarked cluster.</summary>
    public const int DefaultNodes = 10_000;

    /// <summary>The resourceVersion of the first seeded object.</summary>
    public const long FirstResourceVersion = 100;

    /// <summary>The seeding clock (creation timestamps are relative to it), fixed so runs are byte-identical.</summary>
    private static readonly DateTime Now = new(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc);

    private readonly ResourceCatalog _catalog = new();

    /// <summary>Creates the cluster's description; nothing is generated until asked.</summary>
    public SeededCluster(int nodes = DefaultNodes, int pods = DefaultPods)
    {
        Options = new SeedOptions(nodes, pods, 0);
        Options.Validate();
        var errors = new List<string>();
        var definitions = CachedResourceResolver.Resolve(new CacheOptions(), errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        PodDefinition = definitions.Single(d => d is { Group: "", Resource: "pods" });
        NodeDefinition = definitions.Single(d => d is { Group: "", Resource: "nodes" });
        PodDecoder = new ObjectDecoder(PodDefinition.Schema, PodDefinition.Namespaced, Interner);
        NodeDecoder = new ObjectDecoder(NodeDefinition.Schema, NodeDefinition.Namespaced, Interner);
    }

    /// <summary>What the seeder generates.</summary>
    public SeedOptions Options { get; }

    /// <summary>The string table every decoder of the cluster shares (one per process, as in <see cref="CacheRegistry"/>).</summary>
    public StringInterner Interner { get; } = new();

    /// <summary>The default definition of core/v1 pods (indexed by spec.nodeName).</summary>
    public CachedResourceDefinition PodDefinition { get; }

    /// <summary>The default definition of core/v1 nodes.</summary>
    public CachedResourceDefinition NodeDefinition { get; }

    /// <summary>Decodes pods as the pods reflector does.</summary>
    public ObjectDecoder PodDecoder { get; }

    /// <summary>Decodes nodes as the nodes reflector does.</summary>
    public ObjectDecoder NodeDecoder { get; }

    /// <summary>The resourceVersion a LIST of the seeded cluster answers at (the last seeded object's).</summary>
    public long ListResourceVersion => FirstResourceVersion + Options.Nodes + Options.Pods - 1;

    /// <summary>The list type a PodList tells the reflector.</summary>
    public static ListTypeInfo PodListType { get; } = new("PodList", "v1", ItemsCarryTypeMeta: false);

    /// <summary>The list type a NodeList tells the reflector.</summary>
    public static ListTypeInfo NodeListType { get; } = new("NodeList", "v1", ItemsCarryTypeMeta: false);

    /// <summary>
    /// Generates every pod, stamps it as a LIST item and decodes it; the items come in key order, as a
    /// LIST delivers them. Pod <paramref name="sampleIndex"/> (in generation order) is kept decoded and
    /// in its stored form (no resourceVersion, with kind/apiVersion) for building watch events of it.
    /// </summary>
    public DecodedList DecodePods(int sampleIndex = -1)
    {
        var generator = new PodGenerator(Options, new ClusterLayout(Options), new SeedJsonWriter(), Now);
        return Decode(Options.Pods, FirstResourceVersion + Options.Nodes, generator.Generate, Resource("pods"), PodDecoder, sampleIndex);
    }

    /// <summary>Generates every node, stamps it as a LIST item and decodes it (in key order).</summary>
    public DecodedList DecodeNodes()
    {
        var generator = new NodeGenerator(Options, new ClusterLayout(Options), new SeedJsonWriter(), Now);
        return Decode(Options.Nodes, FirstResourceVersion, generator.Generate, Resource("nodes"), NodeDecoder, -1);
    }

    /// <summary>A pod as a watch event carries it: kind and apiVersion first, then the object at <paramref name="resourceVersion"/>.</summary>
    public byte[] PodWatchObject(byte[] stored, long resourceVersion) => ObjectCodec.Stamped(stored, resourceVersion, Resource("pods"));

    /// <summary>An empty watch cache of <paramref name="definition"/> on the system clock, logging nowhere.</summary>
    public static WatchCache NewCache(CachedResourceDefinition definition) =>
        new(definition, TimeProvider.System, NullLogger<WatchCache>.Instance);

    private ResourceDefinition Resource(string resource) =>
        _catalog.Find("", "v1", resource) ?? throw new InvalidOperationException($"the dev server has no core/v1 {resource}");

    private static DecodedList Decode(
        int count, long firstResourceVersion, Func<int, GeneratedObject> generate, ResourceDefinition resource, ObjectDecoder decoder, int sampleIndex)
    {
        var items = new List<CachedObject>(count);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        byte[]? sampleStored = null;
        CachedObject? sample = null;
        long jsonBytes = 0;
        long decodeTicks = 0;
        for (var i = 0; i < count; i++)
        {
            var generated = generate(i);
            buffer.ResetWrittenCount();
            ObjectCodec.WriteStamped(buffer, generated.Value, firstResourceVersion + i, resource, listItem: true);
            var started = Stopwatch.GetTimestamp();
            if (!decoder.TryDecode(buffer.WrittenSpan, out var cachedObject, out var error))
            {
                throw new InvalidOperationException($"{resource.Resource} {i} did not decode: {error}");
            }

            decodeTicks += Stopwatch.GetTimestamp() - started;
            jsonBytes += cachedObject.Json.Length;
            items.Add(cachedObject);
            if (i == sampleIndex)
            {
                sampleStored = generated.Value;
                sample = cachedObject;
            }
        }

        items.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        return new DecodedList(items, jsonBytes, Stopwatch.GetElapsedTime(0, decodeTicks), sample, sampleStored);
    }
}
