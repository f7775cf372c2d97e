using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ApiCache.Configuration;
using ApiCache.Security;
using ApiCache.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// The TokenReview cache: hits, separate success and failure lifetimes on the host's clock, hashed
/// keys and token-free logs, one review for concurrent requests with the same token, and failed
/// reviews answered 401 without being remembered.
/// </summary>
public sealed class TokenReviewCacheTests : IAsyncLifetime
{
    private TokenReviewingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TokenReviewingUpstream.StartWithAliceAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Token_SecondRequest_IsAnsweredFromTheCache()
    {
        // Arrange
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        // Act
        var first = await StatusAsync(client, "alice-token");
        var second = await StatusAsync(client, "alice-token");
        var badFirst = await StatusAsync(client, "bad-token");
        var badSecond = await StatusAsync(client, "bad-token");

        // Assert
        Assert.Equal([200, 200, 401, 401], [first, second, badFirst, badSecond]);
        Assert.Equal(2, _upstream.Reviews.Count);
        Assert.Equal(2, _upstream.Forwarded.Count);
    }

    [Fact]
    public async Task Token_AfterEachTtl_IsReviewedAgainSuccessAndFailureSeparately()
    {
        // Arrange: accepted tokens are kept a minute, rejected ones ten seconds, on a fake clock.
        var clock = new FakeClock(DateTimeOffset.UtcNow);
        await using var proxy = await AuthenticatingProxy.StartAsync(
            _upstream,
            options =>
            {
                options.Security.Authentication.TokenSuccessTtl = TimeSpan.FromMinutes(1);
                options.Security.Authentication.TokenFailureTtl = TimeSpan.FromSeconds(10);
            },
            services: (services, afterApiCache) =>
            {
                if (!afterApiCache)
                {
                    services.AddSingleton<TimeProvider>(clock);
                }
            });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        await StatusAsync(client, "alice-token");
        await StatusAsync(client, "bad-token");

        // Act
        clock.Advance(TimeSpan.FromSeconds(9));
        await StatusAsync(client, "alice-token");
        await StatusAsync(client, "bad-token");
        var reviewsWithinBoth = ReviewsOf("alice-token", "bad-token");
        clock.Advance(TimeSpan.FromSeconds(2));
        await StatusAsync(client, "alice-token");
        var badAfterFailureTtl = await StatusAsync(client, "bad-token");
        var reviewsAfterFailureTtl = ReviewsOf("alice-token", "bad-token");
        clock.Advance(TimeSpan.FromSeconds(50));
        var aliceAfterSuccessTtl = await StatusAsync(client, "alice-token");
        var reviewsAfterSuccessTtl = ReviewsOf("alice-token", "bad-token");

        // Assert
        Assert.Equal((1, 1), reviewsWithinBoth);
        Assert.Equal(401, badAfterFailureTtl);
        Assert.Equal((1, 2), reviewsAfterFailureTtl);
        Assert.Equal(200, aliceAfterSuccessTtl);
        Assert.Equal((2, 2), reviewsAfterSuccessTtl);
    }

    [Fact]
    public async Task Token_CacheKeysAndLogs_NeverContainTheToken()
    {
        // Arrange: everything logged at every level is kept; one review fails upstream, one rejects, one accepts.
        var logs = new CapturingLoggerProvider();
        await using var proxy = await AuthenticatingProxy.StartAsync(
            _upstream,
            services: (services, afterApiCache) =>
            {
                if (afterApiCache)
                {
                    services.AddSingleton<ILoggerProvider>(logs);
                    services.Configure<LoggerFilterOptions>(filters =>
                    {
                        filters.Rules.Clear();
                        filters.MinLevel = LogLevel.Trace;
                    });
                }
            });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var authenticator = proxy.Services.GetRequiredService<TokenReviewAuthenticator>();

        // Act
        var accepted = await StatusAsync(client, "alice-token");
        var rejected = await StatusAsync(client, "bad-token");
        _upstream.ReviewStatus = 500;
        var failed = await StatusAsync(client, "token-during-outage");
        var keys = authenticator.CachedKeys.ToList();

        // Assert
        Assert.Equal([200, 401, 401], [accepted, rejected, failed]);
        Assert.Equal(new[] { Sha256("alice-token"), Sha256("bad-token") }.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        Assert.Contains("TokenReview", logs.Text, StringComparison.Ordinal); // something about the failed review was logged
        foreach (var token in new[] { "alice-token", "bad-token", "token-during-outage" })
        {
            Assert.DoesNotContain(token, logs.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(keys, key => key.Contains(token, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Token_ConcurrentRequests_ShareOneReview()
    {
        // Arrange: reviews wait until the test opens the gate.
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream);
        var authenticator = proxy.Services.GetRequiredService<TokenReviewAuthenticator>();
        _upstream.ReviewGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Act: each call joins the review before it returns its task (the cache check and the join are synchronous).
        var lookups = Enumerable.Range(0, 8).Select(_ => authenticator.AuthenticateAsync("alice-token", CancellationToken.None)).ToList();
        await WaitUntilAsync(() => _upstream.Reviews.Count >= 1);
        var reviewsWhileWaiting = _upstream.Reviews.Count;
        _upstream.ReviewGate.SetResult();
        var results = await Task.WhenAll(lookups).WaitAsync(TimeSpan.FromSeconds(30));
        var cached = await authenticator.AuthenticateAsync("alice-token", CancellationToken.None);

        // Assert
        Assert.Equal(1, reviewsWhileWaiting);
        Assert.Single(_upstream.Reviews);
        Assert.All(results, r => Assert.Equal("alice", r.User?.Name));
        Assert.Equal(AuthenticationOutcome.Authenticated, cached.Outcome);
        Assert.Single(_upstream.Reviews);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(403)]
    public async Task Token_ReviewNotCreated_Answers401AndIsNotCached(int status)
    {
        // Arrange: the upstream fails the review (or the proxy may not create TokenReviews).
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream, options => options.Metrics.Enabled = true);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        _upstream.ReviewStatus = status;

        // Act
        var during = await StatusAsync(client, "alice-token");
        _upstream.ReviewStatus = 201;
        var after = await StatusAsync(client, "alice-token");
        var metrics = await GetAsync(client, "/metrics", "alice-token");

        // Assert
        Assert.Equal(401, during);
        Assert.Equal(200, after);
        Assert.Equal(2, _upstream.Reviews.Count);
        Assert.Contains("apicache_authentication_total{method=\"token\",result=\"error\"} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_UpstreamUnreachable_Answers401()
    {
        // Arrange: a port nothing listens on.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var proxy = await AuthenticatingProxy.StartAsync(_upstream, options =>
        {
            options.Upstream.Servers.Clear();
            options.Upstream.Servers.Add(new UpstreamServerOptions { Url = $"http://127.0.0.1:{deadPort}", BearerToken = TokenReviewingUpstream.ProxyToken });
        });
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var authenticator = proxy.Services.GetRequiredService<TokenReviewAuthenticator>();

        // Act
        var status = await StatusAsync(client, "alice-token");

        // Assert
        Assert.Equal(401, status);
        Assert.Empty(authenticator.CachedKeys);
    }

    private static string Sha256(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private (int Alice, int Bad) ReviewsOf(string alice, string bad) =>
        (_upstream.Reviews.Count(r => r.Body.Contains(alice, StringComparison.Ordinal)), _upstream.Reviews.Count(r => r.Body.Contains(bad, StringComparison.Ordinal)));

    private static async Task<int> StatusAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task<string> GetAsync(HttpClient client, string target, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // A failure guard, not a speed check.
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition(), "the condition did not hold within 30 s");
    }
}
