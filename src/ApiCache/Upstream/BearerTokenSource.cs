using ApiCache.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Upstream;

/// <summary>
/// The bearer token to send upstream: a static token, or a token file re-read once it is older
/// than the refresh period (one minute by default, as client-go's <c>cachingTokenSource</c>), so
/// rotated service account tokens are picked up. When a re-read fails the last good token is kept
/// and the read is retried after a short delay. <see cref="GetToken"/> is thread-safe and takes no
/// lock: the token and its expiry are one immutable snapshot behind a volatile reference, and only
/// one caller re-reads the file while the others keep using the current token.
/// </summary>
internal sealed partial class BearerTokenSource
{
    /// <summary>How long a token read from a file is used before the file is read again.</summary>
    public static readonly TimeSpan DefaultRefreshPeriod = TimeSpan.FromMinutes(1);

    /// <summary>The longest wait before retrying after a failed re-read.</summary>
    private static readonly TimeSpan MaxRetryPeriod = TimeSpan.FromSeconds(10);

    private readonly string? _file;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshPeriod;
    private readonly TimeSpan _retryPeriod;
    private readonly ILogger _logger;
    private volatile Snapshot _current;
    private int _refreshing;

    private BearerTokenSource(string? file, Snapshot initial, TimeProvider timeProvider, TimeSpan refreshPeriod, ILogger logger)
    {
        _file = file;
        _current = initial;
        _timeProvider = timeProvider;
        _refreshPeriod = refreshPeriod;
        _retryPeriod = refreshPeriod < MaxRetryPeriod ? refreshPeriod : MaxRetryPeriod;
        _logger = logger;
    }

    /// <summary>Where the token is read from, or <see langword="null"/> for a static token.</summary>
    public string? TokenFile => _file;

    /// <summary>
    /// Creates the token source for <paramref name="settings"/>, reading the token file once now;
    /// <see langword="null"/> when the settings carry no token.
    /// </summary>
    /// <exception cref="ApiCacheConfigurationException">The token file cannot be read and there is no static token to fall back to.</exception>
    public static BearerTokenSource? Create(UpstreamServerSettings settings, TimeProvider timeProvider, ILogger? logger = null) =>
        Create(settings, timeProvider, DefaultRefreshPeriod, logger);

    /// <inheritdoc cref="Create(UpstreamServerSettings, TimeProvider, ILogger?)"/>
    public static BearerTokenSource? Create(UpstreamServerSettings settings, TimeProvider timeProvider, TimeSpan refreshPeriod, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refreshPeriod, TimeSpan.Zero);

        var staticToken = string.IsNullOrWhiteSpace(settings.BearerToken) ? null : settings.BearerToken.Trim();
        if (string.IsNullOrWhiteSpace(settings.BearerTokenFile))
        {
            return staticToken is null
                ? null
                : new BearerTokenSource(null, new Snapshot(staticToken, DateTimeOffset.MaxValue), timeProvider, refreshPeriod, NullLogger.Instance);
        }

        var file = settings.BearerTokenFile;
        var now = timeProvider.GetUtcNow();
        Snapshot initial;
        if (TryRead(file, out var token, out var error))
        {
            initial = new Snapshot(token, now + refreshPeriod);
        }
        else if (staticToken is not null)
        {
            // client-go: the token file, once read, takes precedence over the static token.
            initial = new Snapshot(staticToken, now);
        }
        else
        {
            throw new ApiCacheConfigurationException(
                $"Bearer token file '{file}' of {settings.Source} cannot be used: {UpstreamMaterial.OneLine(error!.Message)}; check the file.",
                error);
        }

        return new BearerTokenSource(file, initial, timeProvider, refreshPeriod, logger ?? NullLogger.Instance);
    }

    /// <summary>The token to send now.</summary>
    public string GetToken()
    {
        var current = _current;
        if (_file is null || _timeProvider.GetUtcNow() < current.RefreshAt)
        {
            return current.Token;
        }

        return Refresh(_file);
    }

    private string Refresh(string file)
    {
        if (Interlocked.CompareExchange(ref _refreshing, 1, 0) != 0)
        {
            // Another caller is reading the file; the current token is still the best we have.
            return _current.Token;
        }

        try
        {
            var current = _current;
            var now = _timeProvider.GetUtcNow();
            if (now < current.RefreshAt)
            {
                return current.Token;
            }

            if (TryRead(file, out var token, out var error))
            {
                _current = new Snapshot(token, now + _refreshPeriod);
                return token;
            }

            Log.RefreshFailed(_logger, file, _retryPeriod, error);
            _current = current with { RefreshAt = now + _retryPeriod };
            return current.Token;
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private static bool TryRead(string file, out string token, out Exception? error)
    {
        try
        {
            token = File.ReadAllText(file).Trim();
            error = token.Length == 0 ? new InvalidDataException($"Bearer token file '{file}' is empty.") : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            token = string.Empty;
            error = ex;
        }

        return error is null;
    }

    /// <summary>A token and when to read the file again; replaced whole, never mutated.</summary>
    private sealed record Snapshot(string Token, DateTimeOffset RefreshAt);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "BearerTokenFileRefreshFailed", Level = LogLevel.Warning,
            Message = "Could not re-read bearer token file {File}; keeping the last token and retrying in {RetryPeriod}.")]
        public static partial void RefreshFailed(ILogger logger, string file, TimeSpan retryPeriod, Exception? exception);
    }
}
