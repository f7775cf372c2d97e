using System.Text;
using System.Text.Json.Nodes;
using ApiCache.Informers;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ApiCache.Tests.Informers;

/// <summary>LIST pages and WATCH streams against the dev server and scripted upstreams.</summary>
public sealed class ListWatchClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ListPageAsync_DevServerPages_FollowContinueAndReturnEveryObjectOnce()
    {
        await using var host = await DevServerHost.StartAsync();
        await host.CreateNamespaceAsync("team-a");
        for (var i = 0; i < 12; i++)
        {
            await host.CreateConfigMapAsync("team-a", $"cm-{i:D2}");
        }

        using var endpoints = TestEndpoints.For(host.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/namespaces/team-a/configmaps", TimeProvider.System);
        var names = new List<string>();
        var versions = new HashSet<long>();
        string? token = null;
        var pages = 0;
        do
        {
            using var page = await client.ListPageAsync(token, 5, CancellationToken.None);
            pages++;
            Assert.Equal("ConfigMapList", page.Kind);
            Assert.False(page.ItemsCarryTypeMeta);
            names.AddRange(page.Items.Select(i => JsonNode.Parse(i.Span)!["metadata"]!["name"]!.GetValue<string>()));
            versions.Add(page.ResourceVersion);
            token = page.Continue;
        }
        while (token is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"cm-{i:D2}"), names);
        Assert.Equal(await host.Store.GetRevisionAsync(CancellationToken.None), Assert.Single(versions));
    }

    [Fact]
    public async Task ListPageAsync_CustomResource_ItemsCarryTypeMeta()
    {
        await using var host = await DevServerHost.StartAsync();
        await host.CreateNamespaceAsync("team-a");
        await host.CreateAsync("/apis/example.com/v1/namespaces/team-a/widgets", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"gizmo"},"spec":{"size":1}}""");
        using var endpoints = TestEndpoints.For(host.Address);
        var client = new ListWatchClient(endpoints, "/apis/example.com/v1/widgets", TimeProvider.System);

        using var page = await client.ListPageAsync(null, 500, CancellationToken.None);

        Assert.Equal(("WidgetList", "example.com/v1", true), (page.Kind, page.ApiVersion, page.ItemsCarryTypeMeta));
        Assert.Equal("gizmo", JsonNode.Parse(Assert.Single(page.Items).Span)!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListPageAsync_And_WatchAsync_SendQueryAcceptAndUserAgent()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => ScriptedUpstream.WriteAsync(context, 200, ScriptedUpstream.ListBody(9, null)),
            (context, _) => ScriptedUpstream.StartWatchAsync(context));
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/pods", TimeProvider.System);

        (await client.ListPageAsync(null, 500, CancellationToken.None)).Dispose();
        (await client.ListPageAsync("tok/+=", 3, CancellationToken.None)).Dispose();
        await foreach (var unused in client.WatchAsync(42, 301, CancellationToken.None))
        {
        }

        var requests = upstream.Requests;
        Assert.Equal(
            ["/api/v1/pods?limit=500", "/api/v1/pods?limit=3&continue=tok%2F%2B%3D", "/api/v1/pods?watch=true&resourceVersion=42&allowWatchBookmarks=true&timeoutSeconds=301"],
            requests.Select(r => r.Target));
        Assert.All(requests, r => Assert.Equal("application/json", r.Header("Accept")));
        Assert.All(requests, r => Assert.Matches(@"^apicache/\d+\.\d+\.\d+\S* \(informer\)$", r.Header("User-Agent")));
        Assert.All(requests, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task WatchAsync_LargeObjectInSmallChunks_YieldsItsExactBytes()
    {
        // A 3 MB object sent in 7000-byte flushed chunks, then a bookmark in the same chunk as its tail.
        var big = "{\"metadata\":{\"name\":\"big\",\"resourceVersion\":\"50\"},\"data\":{\"blob\":\"" + new string('x', 3_000_000) + "\"}}";
        var stream = ScriptedUpstream.Event("ADDED", big) + ScriptedUpstream.Event("BOOKMARK", """{"metadata":{"resourceVersion":"51"}}""");
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => Task.CompletedTask,
            async (context, _) =>
            {
                await ScriptedUpstream.StartWatchAsync(context);
                var bytes = Encoding.UTF8.GetBytes(stream);
                for (var offset = 0; offset < bytes.Length; offset += 7000)
                {
                    await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(7000, bytes.Length - offset)));
                    await context.Response.Body.FlushAsync();
                }
            });
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/configmaps", TimeProvider.System);

        var events = new List<(UpstreamWatchEventType Type, string Object)>();
        await foreach (var e in client.WatchAsync(49, 60, CancellationToken.None))
        {
            events.Add((e.Type, Encoding.UTF8.GetString(e.Object.Span)));
        }

        Assert.Equal(2, events.Count);
        Assert.Equal(UpstreamWatchEventType.Added, events[0].Type);
        Assert.Equal(big, events[0].Object);
        Assert.Equal((UpstreamWatchEventType.Bookmark, """{"metadata":{"resourceVersion":"51"}}"""), events[1]);
    }

    [Fact]
    public async Task WatchAsync_EventOverTheBound_ThrowsDecodeException()
    {
        var big = "{\"metadata\":{\"name\":\"big\",\"resourceVersion\":\"50\"},\"data\":\"" + new string('x', 200_000) + "\"}";
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => Task.CompletedTask,
            async (context, _) =>
            {
                await ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("ADDED", big));
                await ScriptedUpstream.HoldAsync(context);
            });
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/configmaps", TimeProvider.System, maxMessageBytes: 100_000);

        var error = await Assert.ThrowsAsync<UpstreamDecodeException>(async () =>
        {
            await foreach (var unused in client.WatchAsync(1, 60, CancellationToken.None))
            {
            }
        }).WaitAsync(Deadline);

        Assert.Contains("larger than 100000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ListPageAsync_BodyOverTheBound_ThrowsDecodeException(bool contentLength)
    {
        var body = ScriptedUpstream.ListBody(5, null, [.. Enumerable.Range(0, 100).Select(i => ScriptedUpstream.Item($"item-{i:D3}", 5))]);
        await using var upstream = await ScriptedUpstream.StartAsync(
            async (context, _) =>
            {
                if (contentLength)
                {
                    context.Response.ContentLength = Encoding.UTF8.GetByteCount(body);
                }

                await ScriptedUpstream.WriteAsync(context, 200, body);
            },
            (context, _) => Task.CompletedTask);
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/configmaps", TimeProvider.System, maxMessageBytes: 3000);

        var error = await Assert.ThrowsAsync<UpstreamDecodeException>(() => client.ListPageAsync(null, 500, CancellationToken.None));

        Assert.True(body.Length > 3000);
        Assert.Contains("larger than 3000 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchAsync_ErrorEvent_SurfacesTheStatus()
    {
        // Fixture 06-restart-watch-from-R1-http2-410: the apiserver's 410 inside a 200 watch.
        var body = FixtureUpstream.FixtureText("06-restart-watch-from-R1-http2-410");
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => Task.CompletedTask,
            (context, _) => ScriptedUpstream.StartWatchAsync(context, body));
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/pods", TimeProvider.System);

        var events = new List<UpstreamWatchEvent>();
        await foreach (var e in client.WatchAsync(373, 60, CancellationToken.None))
        {
            events.Add(e);
        }

        var error = Assert.Single(events);
        Assert.Equal(UpstreamWatchEventType.Error, error.Type);
        Assert.Equal((410, "Expired", "too old resource version: 373 (400)"), (error.Status!.Code, error.Status.Reason, error.Status.Message));
    }

    [Fact]
    public async Task WatchAsync_StreamCutMidEvent_ThrowsIOException()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => Task.CompletedTask,
            (context, _) => ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("ADDED", ScriptedUpstream.Item("a", 5)), "{\"type\":\"ADDED\",\"object\":{\"meta"));
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/configmaps", TimeProvider.System);
        var received = 0;

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var unused in client.WatchAsync(4, 60, CancellationToken.None))
            {
                received++;
            }
        });

        Assert.Equal(1, received);
    }

    [Fact]
    public async Task ListPageAsync_ExpiredContinue_ThrowsWithCodeReasonAndMessage()
    {
        var body = FixtureUpstream.FixtureText("06-notice-step2-compact_rev_key-updated-continue-410");
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => ScriptedUpstream.WriteAsync(context, 410, body),
            (context, _) => Task.CompletedTask);
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/pods", TimeProvider.System);

        var error = await Assert.ThrowsAsync<UpstreamStatusException>(() => client.ListPageAsync("old", 500, CancellationToken.None));

        Assert.Equal(410, error.StatusCode);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.StartsWith("The provided continue parameter is too old", error.Status.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Status.MetadataContinue);
        Assert.True(error.IsExpired);
    }

    [Theory]
    [InlineData("3", null, 3)]
    [InlineData(null, 7, 7)]
    public async Task WatchAsync_TooManyRequests_ThrowsWithRetryAfter(string? header, int? detailsSeconds, int expectedSeconds)
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => Task.CompletedTask,
            (context, _) => ScriptedUpstream.WriteAsync(context, 429, ScriptedUpstream.Status(429, "TooManyRequests", "slow down", detailsSeconds), header));
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/pods", TimeProvider.System);

        var error = await Assert.ThrowsAsync<UpstreamStatusException>(async () =>
        {
            await foreach (var unused in client.WatchAsync(1, 60, CancellationToken.None))
            {
            }
        });

        Assert.Equal((429, "TooManyRequests", "slow down"), (error.StatusCode, error.Status.Reason, error.Status.Message));
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), error.RetryAfter);
        Assert.False(error.IsExpired);
        Assert.Equal("watch of /api/v1/pods answered 429 TooManyRequests: slow down", error.Message);
    }

    [Fact]
    public async Task ListPageAsync_NonStatusErrorBody_UsesTheHttpStatus()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(
            async (context, _) =>
            {
                context.Response.StatusCode = 502;
                await context.Response.WriteAsync("upstream connect error");
            },
            (context, _) => Task.CompletedTask);
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/pods", TimeProvider.System);

        var error = await Assert.ThrowsAsync<UpstreamStatusException>(() => client.ListPageAsync(null, 500, CancellationToken.None));

        Assert.Equal((502, "BadGateway", "upstream connect error"), (error.StatusCode, error.Status.Reason, error.Status.Message));
    }

    [Fact]
    public async Task WatchAsync_Cancelled_EndsTheIdleStream()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await ScriptedUpstream.StartAsync(
            (context, _) => Task.CompletedTask,
            async (context, _) =>
            {
                await ScriptedUpstream.StartWatchAsync(context, ScriptedUpstream.Event("BOOKMARK", """{"metadata":{"resourceVersion":"3"}}"""));
                await ScriptedUpstream.HoldAsync(context);
                aborted.TrySetResult();
            });
        using var endpoints = TestEndpoints.For(upstream.Address);
        var client = new ListWatchClient(endpoints, "/api/v1/pods", TimeProvider.System);
        using var cts = new CancellationTokenSource();

        var watching = Task.Run(async () =>
        {
            await foreach (var unused in client.WatchAsync(2, 600, cts.Token))
            {
                await cts.CancelAsync();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching.WaitAsync(Deadline));
        await aborted.Task.WaitAsync(Deadline);
    }

    [Fact]
    public void Constructor_PathWithQuery_Throws()
    {
        using var endpoints = TestEndpoints.For(new Uri("http://127.0.0.1:1"));

        Assert.Throws<ArgumentException>(() => new ListWatchClient(endpoints, "/api/v1/pods?watch=1", TimeProvider.System));
        Assert.Throws<ArgumentException>(() => new ListWatchClient(endpoints, "api/v1/pods", TimeProvider.System));
    }

    internal static IReadOnlyDictionary<string, string> Query(string target)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(question < 0 ? "" : target[question..]).ToDictionary(p => p.Key, p => p.Value.ToString());
    }
}
