using System.Text;
using ApiCache.Caching;
using ApiCache.Informers;
using ApiCache.Selectors;
using ApiCache.Storage;
using ApiCache.Watch;
using BenchmarkDotNet.Attributes;

namespace ApiCache.Benchmarks;

/// <summary>
/// The per-event work of watch fan-out, as the dispatch loop does it: find the watchers that may
/// see a pod's MODIFIED event through the <see cref="WatcherIndex"/> (10,000 kubelet watchers, one
/// per node, pinned by <c>spec.nodeName</c>, plus 100 unfiltered controller watchers), classify it
/// for each, and frame it once (<see cref="EventFrames"/>) for all of them. The frame is the only
/// allocation per event whatever the number of watchers; without the index every watcher would run
/// its filter on every event.
/// </summary>
[MemoryDiagnoser]
public class WatchFanOutBenchmarks
{
    private const int Nodes = 10_000;
    private const int Unfiltered = 100;

    private readonly WatcherIndex _index = new();
    private readonly List<Watcher> _all = [];
    private readonly List<Watcher> _candidates = new(Unfiltered + 16);
    private readonly EventFrames _frames = new();
    private WatchEncoder _encoder = null!;
    private WatchCacheEvent _event = null!;

    [GlobalSetup]
    public void Setup()
    {
        var schema = ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]);
        var definition = new CachedResourceDefinition
        {
            Group = "", Version = "v1", Resource = "pods", Kind = "Pod", Namespaced = true, IsCustomResource = false,
            Schema = schema, FieldConversion = FieldLabelConversion.Pods, HistoryWindow = TimeSpan.FromMinutes(5),
            HistoryMaxEvents = 1000, MaxBytes = long.MaxValue, EtcdKeyPrefix = "/registry/pods/",
        };
        _encoder = new WatchEncoder(definition, new ListTypeInfo("PodList", "v1", false));
        for (var node = 0; node < Nodes + Unfiltered; node++)
        {
            var fields = node < Nodes ? $"spec.nodeName=node-{node:D5}" : "";
            if (!ListSelectors.TryParse("", fields, FieldLabelConversion.Pods, out var selectors, out _))
            {
                throw new InvalidOperationException(fields);
            }

            var watcher = new Watcher(new WatchFilter(null, selectors, schema), allowBookmarks: true, 0, 100);
            _index.Add(watcher);
            _all.Add(watcher);
        }

        var decoder = new ObjectDecoder(schema, namespaced: true);
        var before = Decode(decoder, Pod(41, "Pending"));
        var after = Decode(decoder, Pod(42, "Running"));
        _event = new WatchCacheEvent(WatchEventType.Modified, after, before, 42, DateTimeOffset.UnixEpoch);
    }

    /// <summary>Candidates through the index, classification, one shared frame: what one event costs the loop.</summary>
    [Benchmark(Baseline = true)]
    public int IndexedDispatch()
    {
        _candidates.Clear();
        _index.Collect(_event, _candidates);
        return Deliver(_candidates);
    }

    /// <summary>The same event checked against every watcher's filter, as without the index.</summary>
    [Benchmark]
    public int ScanEveryWatcher() => Deliver(_all);

    /// <summary>Classifies the event for each watcher and takes the shared frame for those that see it.</summary>
    private int Deliver(List<Watcher> watchers)
    {
        _frames.Reset(_event);
        var delivered = 0;
        foreach (var watcher in watchers)
        {
            var delivery = watcher.Filter.Classify(_event);
            if (delivery != EventDelivery.None)
            {
                delivered += _frames.For(delivery, _encoder).Length > 0 ? 1 : 0;
            }
        }

        return delivered;
    }

    private static CachedObject Decode(ObjectDecoder decoder, string json) =>
        decoder.TryDecode(Encoding.UTF8.GetBytes(json), out var cachedObject, out var error) ? cachedObject : throw new InvalidOperationException(error);

    private static string Pod(long resourceVersion, string phase) =>
        "{\"metadata\":{\"name\":\"web-1\",\"namespace\":\"team-a\",\"uid\":\"u-1\",\"resourceVersion\":\"" + resourceVersion
        + "\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"nodeName\":\"node-00042\",\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]},\"status\":{\"phase\":\"" + phase + "\"}}";
}
