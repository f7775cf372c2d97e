using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using ApiCache.Informers;
using ApiCache.Storage;

namespace ApiCache.Benchmarks;

/// <summary>
/// <c>--memory</c>: what the informer cache keeps alive per object at cluster scale, measured rather than
/// estimated. Builds the pods cache of <see cref="SeededCluster"/> (200,000 pods) through
/// <see cref="IReflectorSink.Replace"/>, forces full collections around it, and prints the managed bytes
/// retained per pod next to the pod's JSON length and next to the cache's own accounting
/// (<see cref="WatchCache.Bytes"/>); then the same for the 10,000 nodes. Also times the decode of the
/// LIST, the first Replace and an unchanged re-list (single runs).
/// </summary>
/// <remarks>
/// The retained bytes are split in two: the cache (dropped at the end and measured as what its collection
/// frees) and the shared <see cref="StringInterner"/>'s growth (what stays after the cache is gone),
/// which the cache's accounting leaves out by design.
/// </remarks>
internal static class CacheMemoryReport
{
    /// <summary>kube-apiserver keeps decoded objects at 5-7x their wire size; this cache aims at 1.3x at most.</summary>
    private const double TargetRatio = 1.3;

    /// <summary>Runs the measurement and writes a report to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(TextWriter output)
    {
        var cluster = new SeededCluster();
        output.WriteLine(FormattableString.Invariant(
            $"Informer cache memory: {cluster.Options.Pods} pods on {cluster.Options.Nodes} nodes, {cluster.Options.Namespaces} namespaces (dev server seeder, seed {cluster.Options.Seed}); {Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}"));
        output.WriteLine();
        output.WriteLine("| resource | objects | avg JSON B | retained B/object (cache + interned strings) | ratio | cache alone B/object | interned strings B/object | WatchCache.Bytes B/object | accounting vs cache alone |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        var pods = Measure(cluster, "pods", static c => c.DecodePods(), SeededCluster.PodListType, static c => c.PodDefinition, relist: true);
        var nodes = Measure(cluster, "nodes", static c => c.DecodeNodes(), SeededCluster.NodeListType, static c => c.NodeDefinition, relist: false);
        output.WriteLine(pods.Row);
        output.WriteLine(nodes.Row);
        output.WriteLine();
        output.WriteLine(FormattableString.Invariant(
            $"Pods: {pods.Ratio:F2}x the JSON retained in all (target <= {TargetRatio:F1}x: {(pods.Ratio <= TargetRatio ? "met" : "NOT met")}); the cache's accounting is {pods.AccountingError:+0.0;-0.0}% off the cache's measured bytes."));
        output.WriteLine(FormattableString.Invariant($"Interner after both: {cluster.Interner.Count} strings."));
        output.WriteLine();
        output.WriteLine("| single run | pods | nodes |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine(FormattableString.Invariant($"| decode the LIST's items (ObjectDecoder, sum of calls) | {pods.DecodeTime.TotalMilliseconds:F0} ms | {nodes.DecodeTime.TotalMilliseconds:F0} ms |"));
        output.WriteLine(FormattableString.Invariant($"| first Replace (store + indexes, items in key order) | {pods.ReplaceTime.TotalMilliseconds:F0} ms | {nodes.ReplaceTime.TotalMilliseconds:F0} ms |"));
        output.WriteLine(FormattableString.Invariant($"| re-list Replace, nothing changed (freshly decoded items compared with the cache) | {pods.RelistTime.TotalMilliseconds:F0} ms | - |"));
        return 0;
    }

    private static Result Measure(
        SeededCluster cluster,
        string resource,
        Func<SeededCluster, DecodedList> decode,
        ListTypeInfo typeInfo,
        Func<SeededCluster, Caching.CachedResourceDefinition> definition,
        bool relist)
    {
        // The cache lives only in the box: no local or hidden temporary of this frame refers to it, so
        // emptying the box lets the collection below free it.
        var box = new StrongBox<WatchCache?>();
        var before = Collect();
        var built = Build(box, cluster, decode, typeInfo, definition);
        var withCache = Collect();
        var (count, accounted) = CountAndBytes(box);
        var relistTime = relist ? Relist(box, cluster, decode, typeInfo) : TimeSpan.Zero;
        if (relist && CountAndBytes(box).Count != count)
        {
            throw new InvalidOperationException("an unchanged re-list changed the cache");
        }

        box.Value!.Dispose();
        box.Value = null;
        var withoutCache = Collect();
        return new Result(resource, count, built, withCache - before, withCache - withoutCache, accounted, relistTime);
    }

    /// <summary>Decodes and replaces in a frame of its own, so nothing but the cache (in <paramref name="box"/>) outlives it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Built Build(
        StrongBox<WatchCache?> box, SeededCluster cluster, Func<SeededCluster, DecodedList> decode, ListTypeInfo typeInfo, Func<SeededCluster, Caching.CachedResourceDefinition> definition)
    {
        var list = decode(cluster);
        var cache = SeededCluster.NewCache(definition(cluster));
        var started = Stopwatch.GetTimestamp();
        ((IReflectorSink)cache).Replace(list.Items, cluster.ListResourceVersion, typeInfo);
        var replaceTime = Stopwatch.GetElapsedTime(started);
        box.Value = cache;
        return new Built(list.AverageJsonBytes, list.DecodeTime, replaceTime);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Count, long Bytes) CountAndBytes(StrongBox<WatchCache?> box) => (box.Value!.Count, box.Value.Bytes);

    /// <summary>A re-list at a newer version whose items are equal to the cached ones (fresh arrays, so the comparison reads them).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static TimeSpan Relist(StrongBox<WatchCache?> box, SeededCluster cluster, Func<SeededCluster, DecodedList> decode, ListTypeInfo typeInfo)
    {
        var cache = box.Value!;
        var list = decode(cluster);
        var sink = (IReflectorSink)cache;
        sink.RelistStarting(RelistReason.Expired);
        var started = Stopwatch.GetTimestamp();
        sink.Replace(list.Items, cluster.ListResourceVersion + 1, typeInfo);
        var time = Stopwatch.GetElapsedTime(started);
        if (cache.EventsApplied != 0)
        {
            throw new InvalidOperationException($"an unchanged re-list produced {cache.EventsApplied} events");
        }

        return time;
    }

    private static long Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>What building a cache told.</summary>
    private sealed record Built(double AverageJsonBytes, TimeSpan DecodeTime, TimeSpan ReplaceTime);

    /// <summary>One resource's measurement.</summary>
    private sealed record Result(string Resource, int Count, Built Built, long Retained, long CacheAlone, long Accounted, TimeSpan RelistTime)
    {
        public double Ratio => PerObject(Retained) / Built.AverageJsonBytes;

        public double AccountingError => 100.0 * (Accounted - CacheAlone) / CacheAlone;

        public TimeSpan DecodeTime => Built.DecodeTime;

        public TimeSpan ReplaceTime => Built.ReplaceTime;

        public string Row => string.Create(CultureInfo.InvariantCulture,
            $"| {Resource} | {Count} | {Built.AverageJsonBytes:F0} | {PerObject(Retained):F0} | {Ratio:F2}x | {PerObject(CacheAlone):F0} ({PerObject(CacheAlone) / Built.AverageJsonBytes:F2}x) | {PerObject(Retained - CacheAlone):F0} | {PerObject(Accounted):F0} | {AccountingError:+0.0;-0.0}% |");

        private double PerObject(long bytes) => (double)bytes / Count;
    }
}
