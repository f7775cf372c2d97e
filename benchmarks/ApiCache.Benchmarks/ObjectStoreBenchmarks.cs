using System.Globalization;
using ApiCache.Selectors;
using ApiCache.Storage;
using BenchmarkDotNet.Attributes;

namespace ApiCache.Benchmarks;

/// <summary>
/// The informer cache's store at cluster scale: 200,000 pods on 10,000 nodes (20 each), 1,000
/// namespaces (200 each), 10,000 Deployments of 20 pods with labels app (1,000 values of 200 pods, each
/// spread over 10 namespaces), pod-template-hash (one per Deployment) and tier (3 values). The JSON is
/// one shared 3 KiB dummy payload (only metadata matters here). Also prints the managed memory per pod
/// of a store built with empty JSON, once per run.
/// </summary>
[MemoryDiagnoser]
public class ObjectStoreBenchmarks
{
    public const int Pods = 200_000;
    public const int Nodes = 10_000;
    public const int Namespaces = 1_000;
    public const int PodsPerDeployment = 20;

    private static readonly ObjectSchema PodSchema = new(
        ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["spec.nodeName"]);

    private static readonly string[] Tiers = ["frontend", "backend", "cache"];

    private static bool s_memoryPrinted;

    private readonly List<CachedObject> _results = new(1024);
    private ObjectStore _store = null!;
    private CachedObject[] _sameLabels = null!;
    private CachedObject[] _labelChange = null!;
    private int _toggle;
    private StoreQuery _byNode = null!;
    private StoreQuery _byApp = null!;
    private StoreQuery _namespace = null!;
    private StoreQuery _page = null!;
    private StoreQuery _pageInTheMiddle = null!;
    private ObjectKey _getKey;

    [GlobalSetup]
    public void Setup()
    {
        if (!s_memoryPrinted)
        {
            s_memoryPrinted = true;
            PrintMemoryPerPod();
        }

        var json = new byte[3 * 1024];
        _store = new ObjectStore(PodSchema);
        var strings = new Strings();
        foreach (var pod in BuildPods(json, strings))
        {
            _store.Upsert(pod);
        }

        var sample = _store.Get(PodKey(123_457))!;
        var labels = sample.Labels.ToArray();
        var fields = Enumerable.Range(0, PodSchema.FieldPaths.Count).Select(sample.GetField).ToArray();
        _sameLabels =
        [
            new CachedObject(json, sample.Key, sample.Uid, 1_000_001, labels, fields, PodSchema),
            new CachedObject(json, sample.Key, sample.Uid, 1_000_002, labels, fields, PodSchema),
        ];
        var otherTier = labels.Select(l => l.Key == "tier" ? KeyValuePair.Create("tier", l.Value == "frontend" ? "backend" : "frontend") : l).ToArray();
        _labelChange =
        [
            new CachedObject(json, sample.Key, sample.Uid, 1_000_003, otherTier, fields, PodSchema),
            new CachedObject(json, sample.Key, sample.Uid, 1_000_004, labels, fields, PodSchema),
        ];
        _getKey = PodKey(98_765);
        _byNode = new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=node-7777") };
        _byApp = new StoreQuery { LabelSelector = LabelSelector.Parse("app=app-321") };
        _namespace = new StoreQuery { Namespace = "ns-0456" };
        _page = new StoreQuery { Limit = 500 };
        _pageInTheMiddle = new StoreQuery { Limit = 500, StartAfter = PodKey(100_000) };
        Check(_byNode, 20);
        Check(_byApp, 200);
        Check(_namespace, 200);
        Check(_page, 500);
    }

    [Benchmark]
    public object? Get() => _store.Get(_getKey);

    [Benchmark]
    public object? UpsertSameLabels() => _store.Upsert(_sameLabels[_toggle++ & 1]);

    [Benchmark]
    public object? UpsertLabelChange() => _store.Upsert(_labelChange[_toggle++ & 1]);

    [Benchmark]
    public int QueryByNodeName() => Run(_byNode);

    [Benchmark]
    public int QueryByLabelApp() => Run(_byApp);

    [Benchmark]
    public int QueryNamespace() => Run(_namespace);

    [Benchmark]
    public int QueryFullListFirstPage500() => Run(_page);

    [Benchmark]
    public int QueryFullListMiddlePage500() => Run(_pageInTheMiddle);

    /// <summary>
    /// Builds 200,000 pods with empty JSON and prints the managed bytes per pod: the CachedObjects with
    /// their metadata strings, and the store's structures alone.
    /// </summary>
    public static void PrintMemoryPerPod()
    {
        var strings = new Strings();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var pods = BuildPods([], strings).ToArray();
        var withObjects = GC.GetTotalMemory(forceFullCollection: true);
        var store = new ObjectStore(PodSchema);
        foreach (var pod in pods)
        {
            store.Upsert(pod);
        }

        var withStore = GC.GetTotalMemory(forceFullCollection: true);
        var objectBytes = (double)(withObjects - before - (8L * pods.Length) - 32) / Pods;
        var storeBytes = (double)(withStore - withObjects) / Pods;
        Console.WriteLine(FormattableString.Invariant(
            $"// ObjectStore memory, {Pods} pods with empty JSON: objects + metadata {objectBytes:F0} B/pod, store structures {storeBytes:F0} B/pod (estimated by the store: {(double)store.StructureBytes() / Pods:F0}), total {objectBytes + storeBytes:F0} B/pod; Bytes estimate {(double)store.Bytes / Pods:F0} B/pod"));
        GC.KeepAlive(store);
        GC.KeepAlive(strings);
    }

    private static ObjectKey PodKey(int pod)
    {
        var deployment = pod / PodsPerDeployment;
        return new ObjectKey(NamespaceOf(deployment), PodName(deployment, pod));
    }

    private static string NamespaceOf(int deployment) => "ns-" + (deployment % Namespaces).ToString("D4", CultureInfo.InvariantCulture);

    private static string Hash(int deployment) => ((uint)deployment * 2654435761u).ToString("x8", CultureInfo.InvariantCulture)[..8] + "d";

    private static string PodName(int deployment, int pod) =>
        "web-" + deployment.ToString(CultureInfo.InvariantCulture) + "-" + Hash(deployment) + "-" + ((uint)pod * 40503u % 1000003u).ToString("x5", CultureInfo.InvariantCulture);

    /// <summary>
    /// The pods as a decoder would produce them: name, uid and pod IP are fresh strings per pod; namespace,
    /// label keys and values, node name and the other enumerated field values are shared (interned).
    /// The order is random, as a watch would deliver creations.
    /// </summary>
    private static IEnumerable<CachedObject> BuildPods(byte[] json, Strings strings)
    {
        var random = new Random(42);
        var nodeSlots = Enumerable.Range(0, Pods).Select(i => i / (Pods / Nodes)).ToArray();
        random.Shuffle(nodeSlots);
        var order = Enumerable.Range(0, Pods).ToArray();
        random.Shuffle(order);
        foreach (var pod in order)
        {
            var deployment = pod / PodsPerDeployment;
            var labels = new[]
            {
                KeyValuePair.Create("app", strings.Intern("app-" + (deployment / 10).ToString(CultureInfo.InvariantCulture))),
                KeyValuePair.Create("pod-template-hash", strings.Intern(Hash(deployment))),
                KeyValuePair.Create("tier", Tiers[deployment % Tiers.Length]),
            };
            string[] fields =
            [
                strings.Intern("node-" + nodeSlots[pod].ToString(CultureInfo.InvariantCulture)),
                "Always",
                "default-scheduler",
                "default",
                "",
                "Running",
                "10." + (pod >> 16) + "." + ((pod >> 8) & 255) + "." + (pod & 255),
                "",
            ];
            yield return new CachedObject(
                json,
                new ObjectKey(strings.Intern(NamespaceOf(deployment)), PodName(deployment, pod)),
                Guid.NewGuid().ToString(),
                pod + 1,
                labels,
                fields,
                PodSchema);
        }
    }

    private int Run(StoreQuery query)
    {
        _results.Clear();
        _store.Query(query, _results);
        return _results.Count;
    }

    private void Check(StoreQuery query, int expected)
    {
        if (Run(query) != expected)
        {
            throw new InvalidOperationException($"{query} returned {_results.Count} objects, expected {expected}");
        }

        Console.WriteLine($"// {query.LabelSelector}{query.FieldSelector} ns={query.Namespace} limit={query.Limit}: {QueryPlanner.Plan(_store, query).Describe()}");
    }

    /// <summary>The string pool a decoder would share namespaces, label values and node names through.</summary>
    private sealed class Strings
    {
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);

        public string Intern(string value)
        {
            if (_pool.TryGetValue(value, out var interned))
            {
                return interned;
            }

            _pool.Add(value, value);
            return value;
        }
    }
}
