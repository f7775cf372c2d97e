using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// alice may read pods in team-a only. Random requests as alice through the proxy — LIST with
/// limits and continue tokens (her own, replayed on team-b and cluster-wide paths, admin's replayed
/// on hers, and hand-made ones), GET, WATCH (from 0, from an RV, with bookmarks, with
/// sendInitialEvents, on odd paths) — while pods are created, changed and deleted in both
/// namespaces never return an object of team-b (or of any namespace but team-a).
/// </summary>
public sealed class NoLeakTests(ITestOutputHelper output)
{
    /// <summary>How many random requests (each LIST follows its continue tokens, up to <see cref="MaxPages"/> pages).</summary>
    private const int RequestCount = 150;

    private const int MaxPages = 40;

    private const int Workers = 4;

    private const int MaxWrites = 2_000;

    /// <summary>Start keys of hand-made continue tokens: other namespaces, path tricks, odd encodings.</summary>
    private static readonly string[] CraftedStarts =
    [
        "/team-b/", "/team-b/web-1\u0000", "team-b/web-1", "/../team-b/", "/team-a/../team-b/", "//team-b/", "/team-a/\u0000/team-b/",
        "/", "", "/\u0000", "/zzzz", "/team-b", "/%74eam-b/", "\\team-b\\",
    ];

    private static readonly string[] OddPaths =
    [
        "/api/v1/namespaces/team-a/pods?fieldSelector=metadata.namespace%3Dteam-b",
        "/api/v1/namespaces/team-a/pods?fieldSelector=metadata.namespace!%3Dteam-a",
        "/api/v1/namespaces/team-b/pods?fieldSelector=metadata.namespace%3Dteam-a",
        "/api/v1/pods?fieldSelector=metadata.namespace%3Dteam-a",
        "/api/v1/namespaces/TEAM-B/pods",
        "/api/v1/namespaces/team-a%2F..%2Fteam-b/pods",
        "/api/v1/namespaces/team-a/pods/..%2F..%2Fteam-b%2Fpods",
        "/api/v1/namespaces/team-b/pods/web-1",
        "/api/v1/namespaces/team-b/pods/nope",
        "/api/v1/namespaces/team-b/pods?limit=1",
        "/api/v1/pods?limit=3",
        "/api/v1/watch/pods?resourceVersion=0&timeoutSeconds=1",
        "/api/v1/watch/namespaces/team-b/pods?resourceVersion=0&timeoutSeconds=1",
        "/api/v1/watch/namespaces/team-a/pods?resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=1",
        "/api/v1/namespaces/team-a/pods?watch=true&resourceVersion=0&fieldSelector=metadata.namespace%3Dteam-b&timeoutSeconds=1",
        "/api/v1/pods?watch=true&resourceVersion=0&fieldSelector=metadata.namespace%3Dteam-a&timeoutSeconds=1",
        "/api/v1/namespaces/team-a/pods/web-1?watch=true&timeoutSeconds=1",
        "/api/v1/namespaces/team-a/pods?fieldSelector=metadata.name%3Dweb-1&watch=true&resourceVersion=0&timeoutSeconds=1",
    ];

    private enum Operation
    {
        ListPaged,
        ReplayOwnToken,
        ReplayAdminToken,
        CraftedToken,
        Get,
        Watch,
        OddPath,
    }

    [Fact]
    public async Task RandomRequests_AliceAllowedInTeamAOnly_NeverReceivesAnObjectOfTeamB()
    {
        // Arrange
        var seed = int.TryParse(Environment.GetEnvironmentVariable("APICACHE_NOLEAK_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Random.Shared.Next();
        output.WriteLine($"seed {seed} (set APICACHE_NOLEAK_SEED={seed} to replay the same choices)");
        await using var cluster = await SecureCluster.StartAsync();
        var run = new Run(cluster, new Random(seed));
        await run.CollectAdminTokensAsync();
        var plan = Enumerable.Range(0, RequestCount).Select(_ => run.Pick()).ToList();

        // Act: writes in both namespaces throughout, random reads as alice meanwhile.
        using var stopWrites = new CancellationTokenSource();
        var writer = run.WriteAsync(stopWrites.Token);
        var queue = new ConcurrentQueue<(Operation Operation, Random Random)>(plan.Select((op, i) => (op, new Random(seed + i + 1))));
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            while (queue.TryDequeue(out var next))
            {
                await run.ExecuteAsync(next.Operation, next.Random);
            }
        }));
        await stopWrites.CancelAsync();
        var writes = await writer;
        var teamBUids = await run.TeamBUidsAsync();

        // Assert
        output.WriteLine($"{run.Responses.Count} responses to {RequestCount} random requests, {writes} writes; {run.Describe()}");
        var leaks = run.Responses
            .Select(r => (r.Request, r.Status, Found: ForeignObjects.Find(r.Body, "team-a", teamBUids)))
            .Where(r => r.Found.Count > 0)
            .Select(r => $"{r.Request} -> {r.Status}: {string.Join("; ", r.Found.Take(5))}")
            .ToList();
        Assert.True(leaks.Count == 0, $"seed {seed}: alice received objects outside team-a:\n" + string.Join("\n", leaks.Take(20)));

        // Positive controls: the requests did reach data, and did exercise every path of interest.
        Assert.True(writes > 0, "no write happened during the run");
        Assert.True(teamBUids.Count >= 5, $"only {teamBUids.Count} team-b uids known");
        Assert.True(run.Responses.Sum(r => ForeignObjects.Count(r.Body, "team-a")) > 0, "alice never received a team-a object: the checks saw nothing");
        Assert.Contains(run.Responses, r => r.Status == 403);
        Assert.Contains(run.Responses, r => r.Request.Contains("continue=", StringComparison.Ordinal));
        Assert.Contains(run.Responses, r => r.Request.Contains("watch=true", StringComparison.Ordinal) && r.Status == 200);
    }

    /// <summary>The state of one run: the cluster, tokens seen, the responses read.</summary>
    private sealed class Run(SecureCluster cluster, Random random)
    {
        private readonly ConcurrentBag<string> _ownTokens = [];
        private readonly ConcurrentBag<string> _adminTokens = [];
        private readonly ConcurrentBag<string> _teamBUids = [];
        private readonly ConcurrentDictionary<Operation, int> _counts = new();
        private long _lastResourceVersion;

        public ConcurrentQueue<(string Request, int Status, byte[] Body)> Responses { get; } = new();

        public Operation Pick() => (Operation)random.Next(Enum.GetValues<Operation>().Length);

        public string Describe() => string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));

        /// <summary>Admin's continue tokens of cluster-wide and team-b lists (through the proxy): keys that point into team-b.</summary>
        public async Task CollectAdminTokensAsync()
        {
            var admin = cluster.Client(cluster.Admin, Route.Proxy);
            foreach (var (path, limit) in new[] { ("/api/v1/pods", 1), ("/api/v1/pods", 7), ("/api/v1/pods", 8), ("/api/v1/pods", 10), ("/api/v1/namespaces/team-b/pods", 1), ("/api/v1/namespaces/team-b/pods", 3) })
            {
                var next = $"{path}?limit={limit}";
                for (var page = 0; page < MaxPages && next is not null; page++)
                {
                    using var response = await admin.GetAsync(new Uri(next, UriKind.Relative));
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    var token = JsonNode.Parse(await response.Content.ReadAsStringAsync())?["metadata"]?["continue"]?.GetValue<string>();
                    if (string.IsNullOrEmpty(token))
                    {
                        break;
                    }

                    _adminTokens.Add(token);
                    next = $"{path}?limit={limit}&continue={Uri.EscapeDataString(token)}";
                }
            }

            Assert.NotEmpty(_adminTokens);
        }

        /// <summary>Creates, relabels and deletes pods in team-a and team-b as admin, straight to the dev server, until stopped; returns the number of writes.</summary>
        public async Task<int> WriteAsync(CancellationToken stop)
        {
            var admin = cluster.Client(cluster.Admin, Route.Direct);
            var writes = 0;
            for (var i = 0; i < MaxWrites && !stop.IsCancellationRequested; i++)
            {
                var ns = i % 2 == 0 ? "team-a" : "team-b";
                var name = $"churn-{i}";
                var body = $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"web","churn":"{{{i}}}"}},"spec":{"nodeName":"node-{{{(i % 3) + 1}}}","containers":[{"name":"c","image":"nginx:1.27.3"}]}}""";
                using (var created = await admin.PostAsync(new Uri($"/api/v1/namespaces/{ns}/pods", UriKind.Relative), Json(body), CancellationToken.None))
                {
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                    if (ns == "team-b")
                    {
                        _teamBUids.Add(JsonNode.Parse(await created.Content.ReadAsStringAsync(CancellationToken.None))!["metadata"]!["uid"]!.GetValue<string>());
                    }
                }

                writes++;
                if (i >= 2)
                {
                    // Relabel the one before last in the same namespace, delete the one before that in the other.
                    var patch = new StringContent("{\"metadata\":{\"labels\":{\"tier\":\"t" + i.ToString(CultureInfo.InvariantCulture) + "\"}}}", Encoding.UTF8);
                    patch.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
                    using (await admin.PatchAsync(new Uri($"/api/v1/namespaces/{ns}/pods/churn-{i - 2}", UriKind.Relative), patch, CancellationToken.None))
                    {
                        writes++;
                    }

                    var other = ns == "team-a" ? "team-b" : "team-a";
                    using var deleted = await admin.DeleteAsync(new Uri($"/api/v1/namespaces/{other}/pods/churn-{i - 3}?gracePeriodSeconds=0", UriKind.Relative), CancellationToken.None);
                    writes++;
                }

                try
                {
                    await Task.Delay(25, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            return writes;
        }

        /// <summary>Every team-b uid: the seeded pods' (as they are now) and every pod the writer created there.</summary>
        public async Task<IReadOnlyCollection<string>> TeamBUidsAsync()
        {
            var admin = cluster.Client(cluster.Admin, Route.Direct);
            foreach (var path in new[] { "/api/v1/namespaces/team-b/pods", "/api/v1/namespaces/team-b/configmaps" })
            {
                using var response = await admin.GetAsync(new Uri(path, UriKind.Relative));
                var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray();
                foreach (var item in items)
                {
                    _teamBUids.Add(item!["metadata"]!["uid"]!.GetValue<string>());
                }
            }

            return _teamBUids.Distinct().ToList();
        }

        public async Task ExecuteAsync(Operation operation, Random choices)
        {
            _counts.AddOrUpdate(operation, 1, (_, n) => n + 1);
            var alice = choices.Next(2) == 0 ? cluster.AliceToken : cluster.AliceCertificate;
            var client = cluster.Client(alice, Route.Proxy, choices.Next(2) == 0 ? HttpVersion.Version20 : HttpVersion.Version11);
            switch (operation)
            {
                case Operation.ListPaged:
                    await ListPagedAsync(client, choices);
                    break;
                case Operation.ReplayOwnToken:
                    await ReplayAsync(client, choices, Pick(_ownTokens, choices) ?? Pick(_adminTokens, choices)!);
                    break;
                case Operation.ReplayAdminToken:
                    await ReplayAsync(client, choices, Pick(_adminTokens, choices)!);
                    break;
                case Operation.CraftedToken:
                    await ReplayAsync(client, choices, Crafted(choices));
                    break;
                case Operation.Get:
                    var ns = choices.Next(2) == 0 ? "team-a" : "team-b";
                    var names = new[] { "web-1", "web-2", "db-0", "cache-0", "batch-1", "nope", $"churn-{choices.Next(40)}" };
                    await ReadAsync(client, $"/api/v1/namespaces/{ns}/pods/{names[choices.Next(names.Length)]}", choices);
                    break;
                case Operation.Watch:
                    await ReadAsync(client, WatchPath(choices), choices);
                    break;
                default:
                    await ReadAsync(client, OddPaths[choices.Next(OddPaths.Length)], choices);
                    break;
            }
        }

        private static string? Pick(ConcurrentBag<string> bag, Random choices)
        {
            var items = bag.ToArray();
            return items.Length == 0 ? null : items[choices.Next(items.Length)];
        }

        private static StringContent Json(string body)
        {
            var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }

        private string Crafted(Random choices)
        {
            var rv = choices.Next(3) switch
            {
                0 => Interlocked.Read(ref _lastResourceVersion),
                1 => 1,
                _ => choices.Next(1, 1_000),
            };
            var start = CraftedStarts[choices.Next(CraftedStarts.Length)];
            var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = start }.ToJsonString();
            return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        private async Task ListPagedAsync(HttpClient client, Random choices)
        {
            var limit = choices.Next(1, 5);
            var path = "/api/v1/namespaces/team-a/pods";
            var selector = choices.Next(4) switch
            {
                0 => "&labelSelector=app%3Dweb",
                1 => "&fieldSelector=spec.nodeName%3Dnode-1",
                _ => "",
            };
            var next = $"{path}?limit={limit}{selector}";
            for (var page = 0; page < MaxPages && next is not null; page++)
            {
                var (status, body) = await ReadAsync(client, next, choices);
                if (status != 200)
                {
                    break;
                }

                var metadata = JsonNode.Parse(body)?["metadata"];
                if (long.TryParse(metadata?["resourceVersion"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var rv))
                {
                    Interlocked.Exchange(ref _lastResourceVersion, rv);
                }

                var token = metadata?["continue"]?.GetValue<string>();
                if (string.IsNullOrEmpty(token))
                {
                    break;
                }

                _ownTokens.Add(token);
                next = $"{path}?limit={limit}{selector}&continue={Uri.EscapeDataString(token)}";
            }
        }

        private async Task ReplayAsync(HttpClient client, Random choices, string token)
        {
            var paths = new[] { "/api/v1/namespaces/team-b/pods", "/api/v1/pods", "/api/v1/namespaces/team-a/pods", "/api/v1/namespaces/team-a/pods" };
            var path = paths[choices.Next(paths.Length)];
            await ReadAsync(client, $"{path}?limit={choices.Next(1, 6)}&continue={Uri.EscapeDataString(token)}", choices);
        }

        private string WatchPath(Random choices)
        {
            var ns = choices.Next(4) switch
            {
                0 => "/api/v1/namespaces/team-b/pods",
                1 => "/api/v1/pods",
                _ => "/api/v1/namespaces/team-a/pods",
            };
            var from = choices.Next(4) switch
            {
                0 => "resourceVersion=0",
                1 => "resourceVersion=" + Math.Max(1, Interlocked.Read(ref _lastResourceVersion)).ToString(CultureInfo.InvariantCulture),
                2 => "sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
                _ => "",
            };
            var bookmarks = choices.Next(3) == 0 && !from.StartsWith("send", StringComparison.Ordinal) ? "" : "&allowWatchBookmarks=true";
            var selector = choices.Next(4) == 0 ? "&labelSelector=app%3Dweb" : "";
            return $"{ns}?watch=true&{from}{bookmarks}{selector}&timeoutSeconds=1".Replace("?watch=true&&", "?watch=true&", StringComparison.Ordinal);
        }

        /// <summary>GETs <paramref name="path"/> and keeps the whole answer (a watch until the server ends it after timeoutSeconds).</summary>
        private async Task<(int Status, string Body)> ReadAsync(HttpClient client, string path, Random choices)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Accept.ParseAdd(choices.Next(4) == 0
                ? "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
                : "application/json");
            using var guard = new CancellationTokenSource(MatrixClient.Guard);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token);
            var body = await response.Content.ReadAsByteArrayAsync(guard.Token);
            Responses.Enqueue((path, (int)response.StatusCode, body));
            return ((int)response.StatusCode, Encoding.UTF8.GetString(body));
        }
    }
}
