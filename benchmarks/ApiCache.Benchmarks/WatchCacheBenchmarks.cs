using System.Buffers.Text;
using ApiCache.Informers;
using ApiCache.Selectors;
using ApiCache.Storage;
using BenchmarkDotNet.Attributes;

namespace ApiCache.Benchmarks;

/// <summary>
/// The informer cache of one resource at cluster scale: a <see cref="WatchCache"/> holding the dev
/// server's 200,000 seeded pods (realistic ~3.5 KiB JSON, 10,000 nodes, 10 namespaces, labels app /
/// pod-template-hash / release / team / tier) filled through <see cref="IReflectorSink.Replace"/> from
/// objects decoded like the reflector decodes them (<see cref="SeededCluster"/>). Measures what the
/// reflector pays per watch event and what serving pays per lookup; decoding alone (metadata
/// extraction) is <see cref="ObjectDecoderBenchmarks"/>, the bare store is <see cref="ObjectStoreBenchmarks"/>.
/// </summary>
/// <remarks>
/// The decoded pods are built once per process and shared by every benchmark (objects are immutable);
/// each benchmark gets a fresh cache. The MODIFIED events go to one pod, each at a new resourceVersion
/// (the cache ignores stale events), so the event history fills up to its default 100,000 events and
/// then evicts one per event, as it would under a steady stream of updates.
/// </remarks>
[MemoryDiagnoser]
public class WatchCacheBenchmarks : IDisposable
{
    /// <summary>The pod the MODIFIED events and the GET are about.</summary>
    private const int SamplePod = 123_457;

    /// <summary>Event resource versions start here: newer than the list, and always ten digits, so they can be patched in place.</summary>
    private const long FirstEventVersion = 1_000_000_000;

    private static readonly Lazy<(SeededCluster Cluster, DecodedList Pods)> Corpus = new(() =>
    {
        var cluster = new SeededCluster();
        return (cluster, cluster.DecodePods(SamplePod));
    });

    private readonly List<CachedObject> _results = new(64 * 1024);
    private WatchCache _cache = null!;
    private IReflectorSink _sink = null!;
    private ObjectDecoder _decoder = null!;
    private CachedObject _sample = null!;
    private byte[] _eventJson = [];
    private int _versionOffset;
    private long _nextVersion = FirstEventVersion;
    private StoreQuery _byNode = null!;
    private StoreQuery _byApp = null!;
    private StoreQuery _byAppIn = null!;
    private StoreQuery _byAppPage = null!;
    private StoreQuery _byAppAndHash = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (cluster, pods) = Corpus.Value;
        _decoder = cluster.PodDecoder;
        _cache = SeededCluster.NewCache(cluster.PodDefinition);
        _sink = _cache;
        _sink.Replace(pods.Items, cluster.ListResourceVersion, SeededCluster.PodListType);
        _sample = pods.Sample!;

        // The sample pod as a watch event's object, its resourceVersion patched per event.
        _eventJson = cluster.PodWatchObject(pods.SampleStored!, FirstEventVersion);
        _versionOffset = _eventJson.AsSpan().IndexOf("\"resourceVersion\":\"1000000000\""u8) + "\"resourceVersion\":\""u8.Length;
        if (_versionOffset < "\"resourceVersion\":\""u8.Length)
        {
            throw new InvalidOperationException("the watch event object has no resourceVersion to patch");
        }

        var node = _sample.GetFieldValue("spec.nodeName");
        if (node.Length == 0)
        {
            throw new InvalidOperationException("the sample pod is not scheduled; pick another");
        }

        _sample.TryGetLabel("app", out var app);
        _sample.TryGetLabel("pod-template-hash", out var hash);
        var other = app == "api" ? "web" : "api";
        _byNode = new StoreQuery { FieldSelector = FieldSelector.Parse("spec.nodeName=" + node) };
        _byApp = new StoreQuery { LabelSelector = LabelSelector.Parse("app=" + app) };
        _byAppIn = new StoreQuery { LabelSelector = LabelSelector.Parse($"app in ({app},{other})") };
        _byAppPage = _byApp with { Limit = 500 };
        _byAppAndHash = new StoreQuery { LabelSelector = LabelSelector.Parse($"app={app},pod-template-hash={hash}") };
        Describe(_byNode);
        Describe(_byApp);
        Describe(_byAppIn);
        Describe(_byAppPage);
        Describe(_byAppAndHash);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _cache?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One MODIFIED watch event as the reflector handles it: decode the event's object, then apply it.</summary>
    [Benchmark]
    public void ApplyModifiedWithDecode()
    {
        Utf8Formatter.TryFormat(_nextVersion++, _eventJson.AsSpan(_versionOffset, 10), out _);
        if (!_decoder.TryDecode(_eventJson, out var cachedObject, out var error))
        {
            throw new InvalidOperationException(error);
        }

        _sink.Apply(WatchEventType.Modified, cachedObject);
    }

    /// <summary>
    /// The same event already decoded: only the cache's work (lock, store upsert and index update,
    /// history append, waking waiters). The object is a <see cref="CachedObject.CopyWith"/> of the
    /// stored pod at a new resourceVersion (one small allocation, no JSON copy).
    /// </summary>
    [Benchmark]
    public void ApplyModifiedDecoded() => _sink.Apply(WatchEventType.Modified, _sample.CopyWith(_sample.Json, _nextVersion++));

    /// <summary>A GET's lookup: read lock and a binary search of the primary order.</summary>
    [Benchmark]
    public object? GetByKey() => _cache.Get(_sample.Key);

    /// <summary>The kubelet's LIST: <c>fieldSelector=spec.nodeName=X</c> answered from the field index (~20 pods).</summary>
    [Benchmark]
    public int QueryByNodeName() => Run(_byNode);

    /// <summary><c>labelSelector=app=X</c>: one label value set (1/8 of the pods, ~25,000).</summary>
    [Benchmark]
    public int QueryLabelEquals() => Run(_byApp);

    /// <summary><c>labelSelector=app in (X,Y)</c>: two value sets merged in key order (~50,000).</summary>
    [Benchmark]
    public int QueryLabelIn() => Run(_byAppIn);

    /// <summary><c>labelSelector=app=X&amp;limit=500</c>: the first page of the same set.</summary>
    [Benchmark]
    public int QueryLabelEqualsFirstPage500() => Run(_byAppPage);

    /// <summary><c>labelSelector=app=X,pod-template-hash=H</c>: the planner takes the smaller set (one ReplicaSet, 5 pods).</summary>
    [Benchmark]
    public int QueryLabelEqualsTwoTerms() => Run(_byAppAndHash);

    /// <summary>A consistent read's freshness check when the cache already has the version: completes synchronously.</summary>
    [Benchmark]
    public bool WaitUntilFreshAlreadyFresh()
    {
        var wait = _cache.WaitUntilFreshAsync(_cache.ResourceVersion, TimeSpan.FromSeconds(10), CancellationToken.None);
        return wait.IsCompletedSuccessfully ? wait.Result : throw new InvalidOperationException("a fresh cache made the request wait");
    }

    private int Run(StoreQuery query)
    {
        _results.Clear();
        _cache.Query(query, _results, out _);
        return _results.Count;
    }

    private void Describe(StoreQuery query)
    {
        var count = Run(query);
        if (count == 0)
        {
            throw new InvalidOperationException($"{query.LabelSelector}{query.FieldSelector} matched nothing");
        }

        var result = _cache.Query(query, [], out _);
        Console.WriteLine($"// {query.LabelSelector}{query.FieldSelector} limit={query.Limit}: {count} pods; {result.Plan.Describe()}");
    }
}
