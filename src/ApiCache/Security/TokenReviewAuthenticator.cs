using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ApiCache.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Security;

/// <summary>
/// The apiserver's webhook token authentication, against the upstream: a bearer token is checked
/// with a TokenReview (<see cref="UpstreamReviewPoster"/>, ApiCache's own credentials) and the
/// answer remembered, keyed by the token's SHA-256 (the token itself is never kept or logged):
/// accepted tokens for <see cref="CallerAuthenticationOptions.TokenSuccessTtl"/>, rejected ones for
/// <see cref="CallerAuthenticationOptions.TokenFailureTtl"/>, at most
/// <see cref="CallerAuthenticationOptions.TokenCacheSize"/> of them, expiring on the host's
/// <see cref="TimeProvider"/>. Concurrent requests with the same token share one review. A review
/// that fails (upstream unreachable, not 201 Created, not a TokenReview) is
/// <see cref="AuthenticationOutcome.Unavailable"/>, logged and not remembered.
/// </summary>
internal sealed partial class TokenReviewAuthenticator : IDisposable
{
    /// <summary>How long one review may take before the callers waiting for it get 401.</summary>
    private static readonly TimeSpan ReviewTimeout = TimeSpan.FromSeconds(30);

    private readonly UpstreamReviewPoster _poster;
    private readonly AuthenticationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CallerAuthenticationOptions _options;
    private readonly string[] _audiences;
    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<string, Task<AuthenticationResult>> _inflight = new(StringComparer.Ordinal);

    public TokenReviewAuthenticator(
        UpstreamReviewPoster poster,
        IOptions<ApiCacheOptions> options,
        TimeProvider time,
        AuthenticationMetrics metrics,
        ILogger<TokenReviewAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _poster = poster;
        _metrics = metrics;
        _logger = logger;
        _options = options.Value.Security.Authentication;
        _audiences = [.. _options.Audiences.Where(a => !string.IsNullOrEmpty(a))];
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = Math.Max(1, _options.TokenCacheSize),
            Clock = new TimeProviderClock(time),
        });
    }

    /// <summary>Whether bearer tokens are checked at all (<see cref="CallerAuthenticationOptions.TokenReview"/>).</summary>
    public bool Enabled => _options.TokenReview;

    /// <summary>The keys of the remembered reviews (for tests: hashes, never tokens).</summary>
    internal IEnumerable<string> CachedKeys => _cache.Keys.Cast<string>();

    /// <summary>The cache key of <paramref name="token"/>: its SHA-256, hex.</summary>
    public static string CacheKey(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// Who <paramref name="token"/> belongs to, from the cache or a TokenReview (shared with other
    /// requests for the same token). <paramref name="cancellationToken"/> stops only this caller's wait.
    /// </summary>
    public Task<AuthenticationResult> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var key = CacheKey(token);
        if (_cache.TryGetValue(key, out AuthenticationResult? cached) && cached is not null)
        {
            _metrics.TokenCacheLookup(hit: true);
            return Task.FromResult(cached);
        }

        _metrics.TokenCacheLookup(hit: false);
        var mine = new TaskCompletionSource<AuthenticationResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inflight.GetOrAdd(key, mine.Task);
        if (ReferenceEquals(shared, mine.Task))
        {
            _ = ReviewAsync(key, token, mine);
        }

        return shared.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _cache.Dispose();

    /// <summary>Runs the one review of <paramref name="key"/> and completes <paramref name="completion"/> with it; never throws.</summary>
    private async Task ReviewAsync(string key, string token, TaskCompletionSource<AuthenticationResult> completion)
    {
        try
        {
            // A review that finished between the caller's cache miss and now already answered.
            var result = _cache.TryGetValue(key, out AuthenticationResult? cached) && cached is not null
                ? cached
                : await ReviewUncachedAsync(key, token);
            completion.SetResult(result);
        }
#pragma warning disable CA1031 // Any failure of the review is a 401 for the callers waiting, never an unobserved exception.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogReviewFailed(_logger, e.GetType().Name + ": " + UpstreamOneLine(e.Message, token));
            completion.SetResult(AuthenticationResult.Unavailable);
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<string, Task<AuthenticationResult>>(key, completion.Task));
        }
    }

    private async Task<AuthenticationResult> ReviewUncachedAsync(string key, string token)
    {
        int status;
        byte[] body;
        using (var timeout = new CancellationTokenSource(ReviewTimeout))
        {
            try
            {
                (status, body) = await _poster.PostAsync(TokenReviewJson.Path, TokenReviewJson.Request(token, _audiences), timeout.Token);
            }
            catch (AccessReviewUnavailableException e)
            {
                LogReviewUnavailable(_logger, UpstreamOneLine(e.Message, token));
                return AuthenticationResult.Unavailable;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                LogReviewUnavailable(_logger, $"no answer within {ReviewTimeout.TotalSeconds:0} s");
                return AuthenticationResult.Unavailable;
            }
        }

        if (status != 201)
        {
            LogReviewUnavailable(_logger, $"the upstream answered {status} instead of 201 Created (may ApiCache's identity create tokenreviews.authentication.k8s.io?)");
            return AuthenticationResult.Unavailable;
        }

        var result = TokenReviewJson.Interpret(body, _audiences, out var error);
        if (result is null)
        {
            LogReviewUnavailable(_logger, "the upstream's answer is not a TokenReview");
            return AuthenticationResult.Unavailable;
        }

        if (result.Outcome != AuthenticationOutcome.Authenticated)
        {
            var reason = UpstreamOneLine(error, token);
            LogTokenRejected(_logger, reason);
        }

        var ttl = result.Outcome == AuthenticationOutcome.Authenticated ? _options.TokenSuccessTtl : _options.TokenFailureTtl;
        if (ttl > TimeSpan.Zero)
        {
            _cache.Set(key, result, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = ttl, Size = 1 });
        }

        return result;
    }

    /// <summary>An upstream's text for a log line, with the token blotted out should the upstream have echoed it.</summary>
    private static string UpstreamOneLine(string text, string token) =>
        token.Length > 0 ? text.Replace(token, "<token>", StringComparison.Ordinal) : text;

    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "A bearer token could not be checked with a TokenReview ({Reason}); the request is answered 401 and the result is not cached")]
    private static partial void LogReviewUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 911, Level = LogLevel.Error, Message = "A TokenReview failed unexpectedly ({Reason}); the request is answered 401")]
    private static partial void LogReviewFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 912, Level = LogLevel.Debug, Message = "A bearer token was rejected by the upstream's TokenReview: {Error}")]
    private static partial void LogTokenRejected(ILogger logger, string error);
}
