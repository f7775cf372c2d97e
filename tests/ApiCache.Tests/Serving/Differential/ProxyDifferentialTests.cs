using System.Diagnostics;
using System.Globalization;
using ApiCache.Consistency;
using ApiCache.DevServer.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// The differential test of the cache's read path: every cell of <see cref="DifferentialMatrix"/> is
/// sent to ApiCache (cache on) and straight to its upstream, and the answers must be identical —
/// status, headers, framing and the raw body bytes, with only the list revision, continue-token
/// revisions, Audit-Id and Date set aside (<see cref="DifferentialHarness"/>). Runs once per store.
/// </summary>
/// <remarks>
/// <para>
/// A writer mutates the cluster while the run goes on (<see cref="ClusterWriter"/>): a few writes
/// before each round of cells, and now and then one between the pages of a paginated LIST. Both
/// sides must be compared at the same state, so the run pins it instead of racing: the writer only
/// writes between comparisons (never during a pair), and after any write the run waits until every
/// cache has reached the upstream's revision (<see cref="DifferentialCluster.SyncAsync"/>) before
/// the next pair. Writes between pages are the exception on purpose: later pages carry a continue
/// token pinned to the first page's revision, so both sides must still answer the old state.
/// Consistent reads (resourceVersion unset) go through the proxy's quorum probe as in production;
/// because the caches are caught up, they are answered from the cache, which the run checks
/// through <c>apicache_cache_reads_total</c>.
/// </para>
/// <para>
/// The cells are sampled with a seeded <see cref="Random"/>; the seed is printed (and named in a
/// failure). Set <c>APICACHE_DIFFERENTIAL_SEED</c> to replay one.
/// </para>
/// </remarks>
public abstract class ProxyDifferentialTests(ITestOutputHelper output)
{
    private const string SeedVariable = "APICACHE_DIFFERENTIAL_SEED";

    /// <summary>The upstream's store; null for the dev server's in-memory one.</summary>
    private protected abstract IRevisionedStore? CreateStore();

    /// <summary>How many LIST cells are sampled from the product.</summary>
    private protected abstract int SampledListCells { get; }

    /// <summary>Rounds of writes (each followed by a wait for the caches: cheap in memory, about a second on etcd).</summary>
    private protected abstract int WriteRounds { get; }

    /// <summary>One in how many paginated LISTs gets a write between its pages (each costs another wait for the caches).</summary>
    private protected abstract int WriteBetweenPagesOneIn { get; }

    [Fact]
    public async Task Matrix_WhileAWriterMutatesTheCluster_ProxyAnswersByteIdenticallyToTheUpstream()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        output.WriteLine($"differential seed {seed} (replay: {SeedVariable}={seed})");
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        await using var cluster = await DifferentialCluster.StartAsync(CreateStore());
        using var harness = new DifferentialHarness(cluster.Proxy.Address, cluster.Upstream.Address, cluster.Paths);
        var writer = new ClusterWriter(cluster.Upstream, random);
        await writer.LoadAsync();
        output.WriteLine($"started and seeded in {clock.Elapsed.TotalSeconds:F1} s");

        var cases = DifferentialMatrix.SampledLists(random, SampledListCells);
        cases.AddRange(DifferentialMatrix.Gets());
        cases.AddRange(DifferentialMatrix.AcceptVariants());
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(cases));

        var revisions = new List<long> { cluster.SeedRevision };
        var perRound = (cases.Count + WriteRounds - 1) / WriteRounds;
        var dirty = true;
        var multiPage = 0;
        var pagedUnderWrites = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            if (i % perRound == 0)
            {
                for (var w = random.Next(2, 6); w > 0; w--)
                {
                    await writer.WriteAsync();
                }

                dirty = true;
            }

            if (dirty)
            {
                revisions.Add(await cluster.SyncAsync());
                dirty = false;
            }

            var request = cases[i].Build(revisions[^1], revisions[random.Next(revisions.Count - 1)]);
            Func<Task>? betweenPages = null;
            if (cases[i].Paginates && random.Next(WriteBetweenPagesOneIn) == 0)
            {
                pagedUnderWrites++;
                betweenPages = async () =>
                {
                    await writer.WriteAsync();
                    dirty = true;
                };
            }

            var compared = await harness.CompareAsync(request, betweenPages);
            multiPage += compared > 1 ? 1 : 0;
        }

        output.WriteLine($"{cases.Count} cells, {harness.Pairs} request pairs ({harness.SuccessfulPairs} answered 200), {multiPage} lists of several pages, "
            + $"{pagedUnderWrites} paged under writes, {writer.Writes} writes, {revisions.Count - 1} syncs, {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var (read, count) in cluster.Paths.Totals.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {read}: {count}");
        }

        Assert.True(harness.DifferenceCount == 0,
            $"{harness.DifferenceCount} difference(s) between the proxy and the upstream (seed {seed}; {SeedVariable}={seed} replays it); the first ones:\n\n"
            + string.Join("\n", harness.Differences));

        // The comparisons must have exercised the cache, not just forwarding: every resource's
        // LISTs and GETs, consistent ones included, were answered from it.
        foreach (var resource in DifferentialResource.All)
        {
            Assert.True(cluster.Paths.FromCache(resource.DisplayName, "list") > 0, $"no LIST of {resource.DisplayName} was answered from the cache");
            Assert.True(cluster.Paths.FromCache(resource.DisplayName, "get") > 0, $"no GET of {resource.DisplayName} was answered from the cache");
        }

        Assert.True(harness.SuccessfulPairs > cases.Count / 2, $"only {harness.SuccessfulPairs} of {harness.Pairs} pairs answered 200");
        Assert.True(multiPage > 10, $"only {multiPage} lists had several pages");
        Assert.True(cluster.Proxy.Services.GetRequiredService<QuorumProbeRevisionSource>().ProbeCount > 0, "no consistent read went through the quorum probe");
    }
}
