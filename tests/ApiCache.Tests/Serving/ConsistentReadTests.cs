using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.Caching;
using ApiCache.Configuration;
using ApiCache.Consistency;
using ApiCache.DevServer.Storage;
using ApiCache.Informers;
using ApiCache.Tests.Caching;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving;

/// <summary>
/// Read-your-writes and monotonic reads through the proxy with its cache on and the default
/// quorum-probe revision source, in front of the dev server over a real store (subclasses choose
/// it). Writers create, update and delete pods and configmaps directly on the dev server; after
/// each write's answer, the same worker's reader (another connection, through the proxy) makes a
/// consistent LIST (plain, label selector, field selector, or limit+continue) and a consistent GET,
/// which must show that write (a deleted object: absent, 404); and the list resourceVersions one
/// reader sees never go backwards. The informers' watches end every few seconds and resume (never
/// re-list), and bookmarks come often so that quiet resources (namespaces, listed now and then,
/// written only before the run) catch up. The share of reads answered from the cache is printed,
/// not asserted.
/// </summary>
public abstract class ConsistentReadTests(ITestOutputHelper output)
{
    private const int Workers = 4;

    /// <summary>Every this many iterations the writer deletes the object instead (the next write of it creates it again).</summary>
    private const int DeleteEvery = 7;

    /// <summary>Every this many iterations a reader also lists namespaces, which nobody writes during the run (a quiet resource).</summary>
    private const int QuietEvery = 50;
    private const int ObjectsPerKind = 6;
    private const int PageLimit = 2;
    private const int MaxPages = 50;

    /// <summary>The store under the dev server (the test disposes it after the server).</summary>
    private protected abstract IRevisionedStore CreateStore();

    /// <summary>The store's name in the output.</summary>
    private protected abstract string StoreName { get; }

    /// <summary>Writes (each followed by a LIST and a GET) per worker: the etcd run is slower per write.</summary>
    private protected abstract int IterationsPerWorker { get; }

    [Fact]
    public async Task ConsistentReads_WritersAndReadersInParallel_EveryReadSeesItsWriteAndListRvsNeverGoBack()
    {
        await using var store = CreateStore();
        await using var upstream = await DevServerHost.StartAsync(o => o.BookmarkInterval = TimeSpan.FromMilliseconds(200), store);
        for (var worker = 0; worker < Workers; worker++)
        {
            await upstream.CreateNamespaceAsync(Namespace(worker));
        }

        await using var proxy = await ProxyHost.StartAsync(upstream.Address, options =>
        {
            options.Cache.Enabled = true;
            options.Cache.MinWatchTimeout = TimeSpan.FromSeconds(2);
            ConfigureSource(options.ConsistentReads, store);
            options.Cache.Resources = [new() { Resource = "pods" }, new() { Resource = "configmaps" }, new() { Resource = "namespaces" }];
        });
        var registry = proxy.Services.GetRequiredService<CacheRegistry>();
        foreach (var resource in registry.Resources)
        {
            await CacheWait.UntilReadyAsync(resource.Cache);
        }

        using var metricsClient = NewClient(proxy.Address);
        var before = await CacheReadCounters.ScrapeAsync(metricsClient);
        var probesBefore = Lookups(proxy.Services);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => RunWorkerAsync(upstream, proxy.Address, w, IterationsPerWorker))).ToArray();
        var reads = (await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(5))).Sum();

        var elapsed = started.Elapsed;
        var counters = before.Until(await CacheReadCounters.ScrapeAsync(metricsClient));
        var probes = Lookups(proxy.Services) - probesBefore;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{StoreName}: {Workers * IterationsPerWorker} writes, {reads} reads through the proxy in {elapsed.TotalSeconds:F1} s, {probes} revision lookups ({proxy.Services.GetRequiredService<IRevisionSource>().GetType().Name})"));
        output.WriteLine($"{StoreName}: all   {counters.Describe()}");
        foreach (var resource in new[] { "pods", "configmaps", "namespaces" })
        {
            foreach (var verb in resource == "namespaces" ? ["list"] : new[] { "list", "get" })
            {
                output.WriteLine($"{StoreName}: {resource} {verb} {counters.Describe(resource, verb)}");
            }
        }

        Assert.True(counters.FromCache() > 0, "no read was answered from the cache: " + counters.Describe());
        Assert.True(probes > 0, "the consistent reads never probed the upstream");
        Assert.Equal(0, counters.Get("rejected_429") + counters.Get("rejected_cold"));

        // The watches ended and resumed during the run (2-3 s each), and no watch end led to a list.
        foreach (var resource in registry.Resources)
        {
            var reflector = resource.Reflector;
            await Informers.Eventually.TrueAsync(() => reflector.WatchRestarts > 0, () => $"a watch restart of {reflector.Resource}");
            output.WriteLine($"{StoreName}: {reflector.Resource} watch restarts {reflector.WatchRestarts}, relists {string.Join(", ", Enum.GetValues<RelistReason>().Select(r => $"{r}={reflector.GetRelistCount(r)}"))}");
            Assert.Equal(1, reflector.GetRelistCount(RelistReason.Initial));
            Assert.Equal(0, reflector.GetRelistCount(RelistReason.Expired));
            Assert.Equal(0, reflector.GetRelistCount(RelistReason.DecodeError));
            Assert.Equal(0, reflector.GetRelistCount(RelistReason.ListFailed));
        }
    }

    /// <summary>The revision source under test: the quorum probe unless a subclass says otherwise.</summary>
    private protected virtual void ConfigureSource(ConsistentReadOptions options, IRevisionedStore store) =>
        options.Source = RevisionSourceKind.QuorumProbe;

    /// <summary>Revision lookups made so far by the source in use (probes upstream, or etcd lookups).</summary>
    private static long Lookups(IServiceProvider services) => services.GetRequiredService<IRevisionSource>() switch
    {
        QuorumProbeRevisionSource probe => probe.ProbeCount,
        EtcdRevisionSource etcd => etcd.LookupCount,
        var other => throw new InvalidOperationException("unexpected revision source " + other.GetType().Name),
    };

    private static string Namespace(int worker) => "rw-" + worker.ToString(CultureInfo.InvariantCulture);

    private static HttpClient NewClient(Uri address) =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>One writer and its reader; returns how many reads it made.</summary>
    private static async Task<int> RunWorkerAsync(DevServerHost upstream, Uri proxy, int worker, int iterations)
    {
        using var reader = NewClient(proxy);
        var ns = Namespace(worker);
        var node = "node-" + worker.ToString(CultureInfo.InvariantCulture);
        var created = new HashSet<string>(StringComparer.Ordinal);
        long lastListRv = 0;
        var reads = 0;
        for (var i = 0; i < iterations; i++)
        {
            var pods = i % 2 == 0;
            var resource = pods ? "pods" : "configmaps";
            var name = (pods ? "p-" : "c-") + ((i / 2) % ObjectsPerKind).ToString(CultureInfo.InvariantCulture);
            var step = i.ToString(CultureInfo.InvariantCulture);
            var key = resource + "/" + name;
            var delete = i % DeleteEvery == DeleteEvery - 1 && created.Contains(key);
            Write write;
            if (delete)
            {
                var path = $"/api/v1/namespaces/{ns}/{resource}/{name}";
                var (status, _, deleted) = await upstream.SendAsync(HttpMethod.Delete, path);
                Assert.True(status == 200, $"DELETE {path} answered {status}: {deleted}");
                created.Remove(key);
                write = new Write(ns, resource, name, null, 0);
            }
            else
            {
                var written = await WriteAsync(upstream, ns, resource, name, node, worker, step, created.Add(key));
                write = new Write(ns, resource, name, step, written);
            }

            // A consistent LIST, in one of four shapes, must hold the object as written (or later), or lack it once deleted.
            var variant = (i / 2) % 4;
            var (listRv, items, pages) = variant switch
            {
                0 => await ListAsync(reader, $"/api/v1/namespaces/{ns}/{resource}", write),
                1 => await ListAsync(reader, $"/api/v1/{resource}?labelSelector=" + Uri.EscapeDataString(delete ? $"worker=w{worker}" : $"worker=w{worker},step={step}"), write),
                2 => await ListAsync(reader, pods ? "/api/v1/pods?fieldSelector=" + Uri.EscapeDataString("spec.nodeName=" + node) : "/api/v1/configmaps?fieldSelector=" + Uri.EscapeDataString("metadata.namespace=" + ns), write),
                _ => await ListAsync(reader, $"/api/v1/namespaces/{ns}/{resource}?limit={PageLimit}", write),
            };
            reads += pages;
            Assert.True(listRv >= lastListRv, $"{write}: the list (shape {variant}) answered resourceVersion {listRv} after this reader had seen {lastListRv}");
            lastListRv = listRv;
            var item = items.FirstOrDefault(o => (string?)o!["metadata"]!["namespace"] == ns && (string?)o!["metadata"]!["name"] == name);
            if (delete)
            {
                Assert.True(item is null, $"{write}: the list (shape {variant}) at resourceVersion {listRv} still has it at resourceVersion {(item is null ? 0 : ResourceVersionOf(item))}");
            }
            else
            {
                Assert.True(item is not null, $"{write}: the list (shape {variant}) at resourceVersion {listRv} lacks the object");
                AssertShowsWrite(item!, write, $"the list (shape {variant}) at resourceVersion {listRv}");
            }

            // A consistent GET must show it too (or 404 once deleted).
            using var response = await reader.GetAsync(new Uri($"/api/v1/namespaces/{ns}/{resource}/{name}", UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            reads++;
            if (delete)
            {
                Assert.True(response.StatusCode == System.Net.HttpStatusCode.NotFound, $"{write}: the GET answered {(int)response.StatusCode}: {text}");
                Assert.Equal("NotFound", (string?)JsonNode.Parse(text)!["reason"]);
            }
            else
            {
                Assert.True(response.IsSuccessStatusCode, $"{write}: the GET answered {(int)response.StatusCode}: {text}");
                AssertShowsWrite(JsonNode.Parse(text)!, write, "the GET");
            }

            // A quiet resource catches up through bookmarks (or falls back): the namespace created before the run is there.
            if (i % QuietEvery == QuietEvery - 1)
            {
                var (namespacesRv, namespaces, _) = await ListAsync(reader, "/api/v1/namespaces", write);
                reads++;
                Assert.True(namespacesRv >= lastListRv, $"the namespaces list answered resourceVersion {namespacesRv} after this reader had seen {lastListRv}");
                lastListRv = namespacesRv;
                Assert.Contains(namespaces, n => (string?)n!["metadata"]!["name"] == ns);
            }
        }

        return reads;
    }

    /// <summary>Creates the object (first time) or updates its step label; returns the resourceVersion the write answered.</summary>
    private static async Task<long> WriteAsync(DevServerHost upstream, string ns, string resource, string name, string node, int worker, string step, bool create)
    {
        var labels = $$"""{"worker":"w{{worker}}","step":"{{step}}"}""";
        JsonNode? body;
        if (create)
        {
            body = resource == "pods"
                ? await upstream.CreatePodAsync(ns, name, node, labels)
                : await upstream.CreateConfigMapAsync(ns, name, labels, $$"""{"step":"{{step}}"}""");
        }
        else
        {
            var patch = resource == "pods"
                ? $$$"""{"metadata":{"labels":{{{labels}}}}}"""
                : $$$"""{"metadata":{"labels":{{{labels}}}},"data":{"step":"{{{step}}}"}}""";
            var path = $"/api/v1/namespaces/{ns}/{resource}/{name}";
            (var status, body, var text) = await upstream.SendAsync(HttpMethod.Patch, path, patch, "application/merge-patch+json");
            Assert.True(status == 200, $"PATCH {path} answered {status}: {text}");
        }

        return ResourceVersionOf(body!);
    }

    /// <summary>A LIST through the proxy, following continue tokens; returns its resourceVersion, its items and the number of pages.</summary>
    private static async Task<(long ResourceVersion, List<JsonNode?> Items, int Pages)> ListAsync(HttpClient reader, string path, Write write)
    {
        var items = new List<JsonNode?>();
        long? resourceVersion = null;
        string? token = null;
        for (var page = 1; page <= MaxPages; page++)
        {
            var target = token is null ? path : path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "continue=" + Uri.EscapeDataString(token);
            using var response = await reader.GetAsync(new Uri(target, UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{write}: LIST {target} answered {(int)response.StatusCode}: {text}");
            var list = JsonNode.Parse(text)!;
            var metadata = list["metadata"]!;
            var pageRv = long.Parse((string)metadata["resourceVersion"]!, CultureInfo.InvariantCulture);
            Assert.True(resourceVersion is null || resourceVersion == pageRv, $"{write}: page {page} of {path} is at resourceVersion {pageRv}, the first at {resourceVersion}");
            resourceVersion = pageRv;
            items.AddRange(list["items"]!.AsArray());
            token = (string?)metadata["continue"];
            if (string.IsNullOrEmpty(token))
            {
                return (pageRv, items, page);
            }
        }

        Assert.Fail($"{write}: {path} did not end within {MaxPages} pages");
        return default;
    }

    private static void AssertShowsWrite(JsonNode item, Write write, string where)
    {
        var rv = ResourceVersionOf(item);
        var step = (string?)item["metadata"]!["labels"]?["step"];
        Assert.True(rv >= write.ResourceVersion && step == write.Step, $"{write}: {where} shows it at resourceVersion {rv} with step {step}");
    }

    private static long ResourceVersionOf(JsonNode item) => long.Parse((string)item["metadata"]!["resourceVersion"]!, CultureInfo.InvariantCulture);

    /// <summary>One acknowledged write, for messages.</summary>
    /// <param name="Namespace">The object's namespace.</param>
    /// <param name="Resource">pods or configmaps.</param>
    /// <param name="Name">The object's name.</param>
    /// <param name="Step">The step label written; null for a delete.</param>
    /// <param name="ResourceVersion">The resourceVersion the write answered; 0 for a delete.</param>
    private sealed record Write(string Namespace, string Resource, string Name, string? Step, long ResourceVersion)
    {
        public override string ToString() => Step is null
            ? $"{Resource} {Namespace}/{Name} deleted"
            : $"{Resource} {Namespace}/{Name} written with step {Step} at resourceVersion {ResourceVersion}";
    }
}

/// <summary>Consistent reads in front of the dev server over its in-memory store (progress every 100 ms).</summary>
public sealed class InMemoryConsistentReadTests(ITestOutputHelper output) : ConsistentReadTests(output)
{
    private protected override string StoreName => "in-memory";

    private protected override int IterationsPerWorker => 500;

    private protected override IRevisionedStore CreateStore() =>
        new InMemoryRevisionedStore(new InMemoryStoreOptions { HistoryWindow = 100_000, ProgressInterval = TimeSpan.FromMilliseconds(100) });
}

/// <summary>Consistent reads in front of the dev server over the shared real etcd (progress notifications every second).</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdConsistentReadTests(EtcdFixture etcd, ITestOutputHelper output) : ConsistentReadTests(output)
{
    private protected override string StoreName => "etcd";

    private protected override int IterationsPerWorker => 200;

    private protected override IRevisionedStore CreateStore() => etcd.CreateStore();
}

/// <summary>
/// Consistent reads in front of the dev server over the shared real etcd, with the exact etcd
/// revision source: the proxy reads etcd's revision and which revisions touched each resource's
/// keys (the dev server lays them out under its key prefix as the apiserver does).
/// </summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdSourceConsistentReadTests(EtcdFixture etcd, ITestOutputHelper output) : ConsistentReadTests(output)
{
    private readonly string _keyPrefix = EtcdFixture.NewKeyPrefix();

    private protected override string StoreName => "etcd, etcd source";

    private protected override int IterationsPerWorker => 100;

    private protected override IRevisionedStore CreateStore() => etcd.CreateStore(_keyPrefix);

    private protected override void ConfigureSource(ConsistentReadOptions options, IRevisionedStore store)
    {
        options.Source = RevisionSourceKind.Etcd;
        options.Etcd.Endpoints.Add(etcd.Endpoint.ToString());
        options.Etcd.KeyPrefix = _keyPrefix + "/registry";
    }
}
