using ApiCache.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Informers;

/// <summary>
/// Keeps one resource's watch cache (an <see cref="IReflectorSink"/>) in step with the upstream, as
/// client-go's reflector does: list page by page, replace the cache, then watch from the list's
/// resource version and apply every change in order. A watch that ends (its timeout) or breaks
/// (connection lost, 5xx, 429) is resumed from the last resource version seen, after a backoff
/// when it failed, without listing again; so is one the upstream answers "Too large resource
/// version" (that apiserver is behind), and a move to another apiserver (the client's failover). Only 410 Expired, an object that cannot be decoded, or a
/// list that fails part-way lead to a new list. When the cache goes over its byte budget the
/// reflector stops (<see cref="ReflectorState.Failed"/>) and tries a fresh list after a long delay.
/// The counters and state are safe to read from any thread while <see cref="RunAsync"/> runs.
/// </summary>
internal sealed partial class Reflector
{
    /// <summary>A guard against an upstream that never ends a list (about 50 million objects at 500 a page).</summary>
    private const int MaxListPages = 100_000;

    private readonly ListWatchClient _client;
    private readonly IObjectDecoder _decoder;
    private readonly IReflectorSink _sink;
    private readonly ReflectorSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReflectorBackoff _backoff;
    private readonly long[] _relists = new long[Enum.GetValues<RelistReason>().Length];
    private readonly long[] _events = new long[Enum.GetValues<UpstreamWatchEventType>().Length];
    private long _watchRestarts;
    private long _lastResourceVersion;
    private int _state = (int)ReflectorState.Stopped;
    private int _running;
    private long _retryAtTicks;
    private volatile ReflectorError? _lastError;

    /// <summary>Creates a reflector; nothing happens until <see cref="RunAsync"/>.</summary>
    /// <param name="resource">The resource's name for logs and errors, as <c>group/resource</c> (core: <c>pods</c>).</param>
    /// <param name="client">Lists and watches the resource's collection.</param>
    /// <param name="decoder">Turns each object's JSON into a <see cref="CachedObject"/>.</param>
    /// <param name="sink">The watch cache that receives the state and the changes.</param>
    /// <param name="settings">Paging, backoff and timeouts.</param>
    /// <param name="time">The clock for backoff, timeouts and error times.</param>
    /// <param name="logger">Where to log; null for none.</param>
    public Reflector(
        string resource,
        ListWatchClient client,
        IObjectDecoder decoder,
        IReflectorSink sink,
        ReflectorSettings settings,
        TimeProvider time,
        ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        settings.Validate();
        Resource = resource;
        _client = client;
        _decoder = decoder;
        _sink = sink;
        _settings = settings;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ReflectorBackoff(settings);
    }

    /// <summary>The resource this reflector mirrors, as <c>group/resource</c>.</summary>
    public string Resource { get; }

    /// <summary>What the reflector is doing now.</summary>
    public ReflectorState State => (ReflectorState)Volatile.Read(ref _state);

    /// <summary>The last resource version seen: of the last list, event or bookmark (0 before the first list).</summary>
    public long LastResourceVersion => Interlocked.Read(ref _lastResourceVersion);

    /// <summary>How many times a watch was opened again without listing (after a timeout or a failure).</summary>
    public long WatchRestarts => Interlocked.Read(ref _watchRestarts);

    /// <summary>
    /// While <see cref="ReflectorState.Backoff"/> or <see cref="ReflectorState.Failed"/>: when the
    /// reflector tries again (backoff, <c>Retry-After</c> or the budget retry delay); otherwise null.
    /// </summary>
    public DateTimeOffset? RetryAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _retryAtTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The last failure (message and time), or null when none happened yet.</summary>
    public ReflectorError? LastError => _lastError;

    /// <summary>How many lists were started for <paramref name="reason"/> (the first list counts as <see cref="RelistReason.Initial"/>).</summary>
    public long GetRelistCount(RelistReason reason) => Interlocked.Read(ref _relists[(int)reason]);

    /// <summary>How many watch events of <paramref name="type"/> were received.</summary>
    public long GetEventCount(UpstreamWatchEventType type) => Interlocked.Read(ref _events[(int)type]);

    /// <summary>
    /// Lists and watches until <paramref name="cancellationToken"/> is cancelled; then the in-flight
    /// request is cancelled and the task completes without throwing. Call once at a time.
    /// </summary>
    /// <exception cref="InvalidOperationException">The reflector is already running.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException($"The reflector for {Resource} is already running.");
        }

        var final = ReflectorState.Stopped;
        try
        {
            LogStarting(_logger, Resource, _client.CollectionPath);
            await RunLoopAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopped(_logger, Resource, LastResourceVersion);
        }
        catch (Exception e)
        {
            // A bug (in the sink or here), not an upstream failure: surface it rather than loop on it.
            final = ReflectorState.Failed;
            RecordError($"the reflector for {Resource} stopped on an unexpected error: {e.Message}");
            LogCrashed(_logger, e, Resource);
            throw;
        }
        finally
        {
            SetState(final);
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        // The reason for the next list, or null to resume the watch from the last resource version.
        RelistReason? relist = RelistReason.Initial;
        var watchesSinceList = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (relist is { } reason)
                {
                    SetState(ReflectorState.Listing);
                    Interlocked.Increment(ref _relists[(int)reason]);
                    LogListing(_logger, Resource, reason);
                    _sink.RelistStarting(reason);
                    await ListAsync(cancellationToken);
                    relist = null;
                    watchesSinceList = 0;
                }

                SetState(ReflectorState.Watching);
                if (watchesSinceList++ > 0)
                {
                    Interlocked.Increment(ref _watchRestarts);
                }

                if (!await WatchAsync(cancellationToken))
                {
                    await BackOffAsync($"the watch of {Resource} ended at once without any event", null, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (CacheBudgetExceededException e)
            {
                RecordError(e.Message);
                SetState(ReflectorState.Failed, _settings.BudgetRetryDelay);
                LogBudgetExceeded(_logger, Resource, e.BudgetBytes, e.Message, _settings.BudgetRetryDelay);
                relist = RelistReason.Initial;
                await Task.Delay(_settings.BudgetRetryDelay, _time, cancellationToken);
            }
            catch (UpstreamStatusException e) when (e.IsExpired)
            {
                RecordError(e.Message);
                LogExpired(_logger, Resource, LastResourceVersion, e.Message);
                relist = relist is null ? RelistReason.Expired : RelistReason.ListFailed;
                await BackOffAsync(e.Message, null, cancellationToken);
            }
            catch (UpstreamStatusException e) when (e.IsTooLargeResourceVersion)
            {
                // The apiserver(s) asked are behind the cache: nothing is lost, so no list (which could
                // only move the cache backwards or wait for the same thing); retry, maybe elsewhere.
                RecordError(e.Message);
                LogBehind(_logger, Resource, LastResourceVersion, e.Message);
                await BackOffAsync(e.Message, e.RetryAfter, cancellationToken);
            }
            catch (UpstreamDecodeException e)
            {
                RecordError(e.Message);
                LogDecodeFailed(_logger, Resource, LastResourceVersion, e.Message);
                relist = RelistReason.DecodeError;
                await BackOffAsync(e.Message, null, cancellationToken);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                RecordError(e.Message);
                if (relist is not null)
                {
                    relist = RelistReason.ListFailed;
                }

                await BackOffAsync(e.Message, (e as UpstreamStatusException)?.RetryAfter, cancellationToken);
            }
        }
    }

    /// <summary>Lists every page, decodes every item and replaces the sink's state.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<CachedObject>();
        string? token = null;
        string kind = "", apiVersion = "";
        bool? carryTypeMeta = null;
        long resourceVersion = 0;
        var pages = 0;
        while (true)
        {
            if (pages == MaxListPages)
            {
                throw new UpstreamDecodeException($"the list of {Resource} did not end after {MaxListPages} pages");
            }

            // The answering apiserver must have reached what the cache holds (and a continued list the
            // revision its token pins), so a list on another apiserver never moves the cache backwards.
            var required = token is null ? LastResourceVersion : resourceVersion;
            using var page = await _client.ListPageAsync(token, _settings.PageSize, required, cancellationToken);
            pages++;
            if (pages == 1)
            {
                kind = page.Kind;
                apiVersion = page.ApiVersion;
            }

            carryTypeMeta ??= page.ItemsCarryTypeMeta;
            resourceVersion = page.ResourceVersion;
            foreach (var item in page.Items)
            {
                items.Add(Decode(item.Span, "list", resourceVersion));
            }

            if (page.Continue is null)
            {
                break;
            }

            if (page.Continue == token)
            {
                throw new UpstreamDecodeException($"the list of {Resource} returned the same continue token twice");
            }

            token = page.Continue;
        }

        _sink.Replace(items, resourceVersion, new ListTypeInfo(kind, apiVersion, carryTypeMeta));
        SetLastResourceVersion(resourceVersion);
        LogListed(_logger, Resource, items.Count, resourceVersion, pages);
    }

    /// <summary>
    /// Runs one watch from the last resource version until the upstream ends it. False when it ended
    /// at once without any event (treated as a failure); failures throw.
    /// </summary>
    private async Task<bool> WatchAsync(CancellationToken cancellationToken)
    {
        var from = LastResourceVersion;
        var timeoutSeconds = _settings.PickWatchTimeoutSeconds(Random.Shared.NextDouble());
        LogWatching(_logger, Resource, from, timeoutSeconds);
        var started = _time.GetTimestamp();
        var received = 0L;

        // A connection that died silently would leave the watch waiting forever: give up on it a
        // grace period after the upstream should have ended it.
        using var stall = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds) + _settings.WatchStallGrace, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        try
        {
            await foreach (var watchEvent in _client.WatchAsync(from, timeoutSeconds, linked.Token))
            {
                received++;
                Interlocked.Increment(ref _events[(int)watchEvent.Type]);
                switch (watchEvent.Type)
                {
                    case UpstreamWatchEventType.Added:
                    case UpstreamWatchEventType.Modified:
                    case UpstreamWatchEventType.Deleted:
                        var cachedObject = Decode(watchEvent.Object.Span, "watch event", LastResourceVersion);
                        _sink.Apply(ToChange(watchEvent.Type), cachedObject);
                        SetLastResourceVersion(cachedObject.ResourceVersion);
                        break;
                    case UpstreamWatchEventType.Bookmark:
                        if (!WatchEventReader.TryReadResourceVersion(watchEvent.Object.Span, out var bookmark))
                        {
                            throw new UpstreamDecodeException($"a BOOKMARK of {Resource} after resourceVersion {LastResourceVersion} has no integer metadata.resourceVersion");
                        }

                        _sink.Progress(bookmark);
                        SetLastResourceVersion(bookmark);
                        break;
                    default:
                        var status = watchEvent.Status!;
                        throw new UpstreamStatusException(
                            status,
                            $"watch of {_client.CollectionPath} from resourceVersion {from}",
                            status.RetryAfterSeconds is int seconds and >= 0 ? TimeSpan.FromSeconds(seconds) : null);
                }
            }
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _client.ReportWatchStalled($"the watch sent nothing past its timeoutSeconds={timeoutSeconds}");
            throw new TimeoutException($"the watch of {Resource} sent nothing past its timeoutSeconds={timeoutSeconds}; the connection is presumed dead");
        }

        LogWatchEnded(_logger, Resource, LastResourceVersion, received);
        return received > 0 || _time.GetElapsedTime(started) >= _settings.MinHealthyWatchDuration;
    }

    private CachedObject Decode(ReadOnlySpan<byte> json, string where, long resourceVersion)
    {
        if (_decoder.TryDecode(json, out var cachedObject, out var error))
        {
            return cachedObject;
        }

        throw new UpstreamDecodeException($"an object of {Resource} in a {where} (at resourceVersion {resourceVersion}) could not be decoded: {error}");
    }

    private async Task BackOffAsync(string why, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var delay = _backoff.Next(_time.GetUtcNow(), Random.Shared.NextDouble());
        if (retryAfter is { } asked)
        {
            var honoured = asked < _settings.MaxRetryAfter ? asked : _settings.MaxRetryAfter;
            delay = honoured > delay ? honoured : delay;
        }

        SetState(ReflectorState.Backoff, delay);
        LogBackingOff(_logger, Resource, why, delay, LastResourceVersion);
        await Task.Delay(delay, _time, cancellationToken);
    }

    /// <summary>Failures worth a retry of the same step: the network, the upstream's 5xx/429/other Status, a stalled watch.</summary>
    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        IOException or HttpRequestException or UpstreamStatusException or TimeoutException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static WatchEventType ToChange(UpstreamWatchEventType type) => type switch
    {
        UpstreamWatchEventType.Added => WatchEventType.Added,
        UpstreamWatchEventType.Modified => WatchEventType.Modified,
        _ => WatchEventType.Deleted,
    };

    /// <summary>Moves to <paramref name="state"/>; a waiting state first publishes when the wait ends.</summary>
    private void SetState(ReflectorState state, TimeSpan? waitFor = null)
    {
        Interlocked.Exchange(ref _retryAtTicks, waitFor is { } wait ? (_time.GetUtcNow() + wait).UtcTicks : 0);
        Volatile.Write(ref _state, (int)state);
    }

    private void SetLastResourceVersion(long resourceVersion) => Interlocked.Exchange(ref _lastResourceVersion, resourceVersion);

    private void RecordError(string message) => _lastError = new ReflectorError(message, _time.GetUtcNow());

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Reflector for {Resource} starting ({CollectionPath})")]
    private static partial void LogStarting(ILogger logger, string resource, string collectionPath);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Listing {Resource} ({Reason})")]
    private static partial void LogListing(ILogger logger, string resource, RelistReason reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion} in {Pages} page(s)")]
    private static partial void LogListed(ILogger logger, string resource, int count, long resourceVersion, int pages);

    [LoggerMessage(EventId = 403, Level = LogLevel.Debug, Message = "Watching {Resource} from resourceVersion {ResourceVersion} (timeoutSeconds={TimeoutSeconds})")]
    private static partial void LogWatching(ILogger logger, string resource, long resourceVersion, int timeoutSeconds);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "Watch of {Resource} ended at resourceVersion {ResourceVersion} after {Events} event(s); resuming")]
    private static partial void LogWatchEnded(ILogger logger, string resource, long resourceVersion, long events);

    [LoggerMessage(EventId = 405, Level = LogLevel.Information, Message = "{Resource} at resourceVersion {ResourceVersion} expired upstream ({Message}); listing again")]
    private static partial void LogExpired(ILogger logger, string resource, long resourceVersion, string message);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "{Resource}: the upstream sent data that cannot be decoded after resourceVersion {ResourceVersion}: {Message}; listing again")]
    private static partial void LogDecodeFailed(ILogger logger, string resource, long resourceVersion, string message);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "{Resource}: {Reason}; retrying in {Delay} (last resourceVersion {ResourceVersion})")]
    private static partial void LogBackingOff(ILogger logger, string resource, string reason, TimeSpan delay, long resourceVersion);

    [LoggerMessage(EventId = 408, Level = LogLevel.Error, Message = "{Resource} went over its cache budget of {BudgetBytes} bytes and stops caching: {Message} A fresh list is tried in {RetryDelay}")]
    private static partial void LogBudgetExceeded(ILogger logger, string resource, long budgetBytes, string message, TimeSpan retryDelay);

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "{Resource}: the upstream has not reached resourceVersion {ResourceVersion} yet ({Message}); retrying without listing")]
    private static partial void LogBehind(ILogger logger, string resource, long resourceVersion, string message);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Reflector for {Resource} stopped at resourceVersion {ResourceVersion}")]
    private static partial void LogStopped(ILogger logger, string resource, long resourceVersion);

    [LoggerMessage(EventId = 410, Level = LogLevel.Critical, Message = "Reflector for {Resource} stopped on an unexpected error")]
    private static partial void LogCrashed(ILogger logger, Exception exception, string resource);
}
