using System.Text;
using ApiCache.Configuration;
using ApiCache.Consistency.Etcd;
using ApiCache.Consistency.Etcd.Protocol;
using ApiCache.Upstream;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Consistency;

/// <summary>
/// The exact revision source: asks etcd itself (the cluster behind the apiservers, with client
/// credentials) which revision a resource's cache must reach to answer a consistent read.
/// </summary>
/// <remarks>
/// <para>
/// A lookup makes a quorum read (a count-only Range of the resource's prefix key, not
/// serializable) to learn etcd's current revision R. A cache already at R or past it waits for
/// nothing. Otherwise one Watch stream replays the changes after the cache's revision: the last one
/// under the resource's key prefix at or before R is what the cache must reach, and nothing about
/// the resource changed from there to R. When that history is compacted the answer is R itself
/// (inexact but safe). See <see cref="EtcdLookupMode"/> for how the watch knows it has seen
/// everything up to R, which depends on the etcd version (learned once per endpoint).
/// </para>
/// <para>
/// Concurrent reads of one resource share lookups through <see cref="RevisionLookupCoalescer{TResult}"/>,
/// never one that started before they arrived. A lookup is bounded by
/// <see cref="EtcdRevisionSourceOptions.RequestTimeout"/> across all endpoints; failures throw
/// <see cref="RevisionSourceUnavailableException"/>, and the next lookup starts at the next endpoint.
/// All calls share the handler's pooled HTTP/2 connections; each lookup's watch stream is reset
/// when it ends.
/// </para>
/// </remarks>
internal sealed partial class EtcdRevisionSource : IRevisionSource, IAsyncDisposable, IDisposable
{
    /// <summary>How often a lookup repeats its progress request (etcd ignores it while the watch is still catching up).</summary>
    public static readonly TimeSpan ProgressRequestInterval = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// The longest gap (in revisions, across all of etcd) a <see cref="EtcdLookupMode.KeyspaceReplay"/>
    /// lookup replays; past it the answer is inexact instead.
    /// </summary>
    public const long MaxKeyspaceReplayRevisions = 5000;

    private const string Section = "ApiCache:ConsistentReads:Etcd";

    private readonly Uri[] _endpoints;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EtcdGrpcClient _client;
    private readonly RevisionLookupCoalescer<EtcdLookupResult> _lookups;
    private readonly CancellationTokenSource _lifetime = new();

    /// <summary>Per endpoint: 0 while unknown, else the <see cref="EtcdLookupMode"/> plus one.</summary>
    private readonly int[] _modes;

    private int _endpoint;
    private int _disposed;

    /// <summary>Creates the source from <c>ApiCache:ConsistentReads:Etcd</c>, with its own HTTP/2 connections.</summary>
    public EtcdRevisionSource(EtcdRevisionSourceOptions options, TimeProvider time, ILogger<EtcdRevisionSource> logger)
        : this(options, time, logger, handler: null)
    {
    }

    /// <summary>
    /// Creates the source over <paramref name="handler"/> (owned by the caller) or, when null, over
    /// its own handler from <paramref name="options"/>. Unusable options throw <see cref="ApiCacheConfigurationException"/>.
    /// </summary>
    internal EtcdRevisionSource(EtcdRevisionSourceOptions options, TimeProvider time, ILogger? logger, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _endpoints = ParseEndpoints(options.Endpoints);
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ApiCacheConfigurationException($"{Section}:RequestTimeout must be positive (got {options.RequestTimeout}).");
        }

        _requestTimeout = options.RequestTimeout;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _modes = new int[_endpoints.Length];
        _client = new EtcdGrpcClient(handler ?? EtcdGrpcClient.CreateHandler(options), disposeHandler: handler is null);
        _lookups = new RevisionLookupCoalescer<EtcdLookupResult>(LookupAsync);
    }

    /// <summary>How many lookups have reached etcd (or tried to): reads that shared one count once.</summary>
    internal long LookupCount => _lookups.LookupsStarted;

    /// <inheritdoc/>
    public async ValueTask<RevisionTarget> GetTargetAsync(CachedResourceReference resource, long cachedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var result = await _lookups.GetAsync(resource.EtcdKeyPrefix, cachedRevision, cancellationToken);
        return result.For(cachedRevision);
    }

    /// <summary>Cancels running lookups, waits for them to end, and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _lifetime.CancelAsync();
        await _lookups.DisposeAsync();
        _client.Dispose();
        _lifetime.Dispose();
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static Uri[] ParseEndpoints(IList<string> endpoints)
    {
        if (endpoints is null || endpoints.Count == 0)
        {
            throw new ApiCacheConfigurationException($"{Section}:Endpoints must list at least one etcd client URL (e.g. https://127.0.0.1:2379) when ApiCache:ConsistentReads:Source is Etcd.");
        }

        var parsed = new Uri[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            parsed[i] = UpstreamMaterial.TryParseServerUrl(endpoints[i] ?? "", out var reason)
                ?? throw new ApiCacheConfigurationException($"{Section}:Endpoints:{i} '{endpoints[i]}' {reason}.");
        }

        return parsed;
    }

    /// <summary>One lookup for <paramref name="prefix"/>, trying each endpoint once at most, within the request time-out.</summary>
    private async Task<EtcdLookupResult> LookupAsync(string prefix, long fromRevision)
    {
        var key = Encoding.UTF8.GetBytes(prefix);
        using var deadline = new CancellationTokenSource(_requestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, deadline.Token);
        var started = _time.GetTimestamp();
        EtcdRpcException? failure = null;
        for (var attempt = 0; attempt < _endpoints.Length; attempt++)
        {
            var index = Volatile.Read(ref _endpoint);
            var endpoint = _endpoints[index];
            try
            {
                var (result, mode) = await LookupAtAsync(index, key, fromRevision, linked.Token);
                var elapsed = _time.GetElapsedTime(started);
                LogLookup(prefix, fromRevision, result.Current, result.LastChange, result.Exact, mode, elapsed.TotalMilliseconds, endpoint);
                return result;
            }
            catch (Exception e) when (e is OperationCanceledException or EtcdRpcException && _lifetime.IsCancellationRequested)
            {
                throw new RevisionSourceUnavailableException($"The etcd revision lookup for {prefix} was cancelled: the revision source is shutting down.", e);
            }
            catch (Exception e) when (e is OperationCanceledException or EtcdRpcException && deadline.IsCancellationRequested)
            {
                MoveOn(index);
                throw new RevisionSourceUnavailableException(
                    $"etcd at {endpoint} did not complete the revision lookup for {prefix} within {_requestTimeout.TotalMilliseconds:0} ms ({Section}:RequestTimeout).", e);
            }
            catch (Exception e) when (e is EtcdRpcException or OperationCanceledException)
            {
                // A cancellation that is neither the deadline nor shutdown came from the HTTP stack itself.
                failure = e as EtcdRpcException ?? new EtcdRpcException($"etcd at {endpoint} dropped the revision lookup: {e.Message}", innerException: e);
                MoveOn(index);
                LogEndpointFailed(endpoint, prefix, failure.Message);
            }
        }

        var where = _endpoints.Length == 1 ? "" : $" (tried all {_endpoints.Length} endpoints; the last said so)";
        throw new RevisionSourceUnavailableException($"The etcd revision lookup for {prefix} failed: {failure!.Message}{where}", failure);
    }

    /// <summary>The lookup at one endpoint: the quorum read, then (if the cache is behind) the watch.</summary>
    private async Task<(EtcdLookupResult Result, EtcdLookupMode? Mode)> LookupAtAsync(int index, byte[] key, long fromRevision, CancellationToken cancellationToken)
    {
        var endpoint = _endpoints[index];
        var range = await _client.RangeAsync(endpoint, new RangeRequest { Key = ByteString.CopyFrom(key), CountOnly = true }, cancellationToken);
        var current = range.Header?.Revision
            ?? throw new EtcdRpcException($"etcd {EtcdGrpcClient.RangeMethod} at {endpoint} answered without a header");

        // Revision 1 is the empty store: nothing was ever written, so nothing changed.
        if (current <= fromRevision || current <= 1)
        {
            return (new EtcdLookupResult(current, Math.Min(current, fromRevision), Exact: true), null);
        }

        var mode = await ModeAsync(index, cancellationToken);
        if (mode == EtcdLookupMode.KeyspaceReplay && current - fromRevision > MaxKeyspaceReplayRevisions)
        {
            return (new EtcdLookupResult(current, current, Exact: false), mode);
        }

        return (await WatchAsync(endpoint, key, fromRevision, current, mode, cancellationToken), mode);
    }

    /// <summary>Replays the changes after <paramref name="fromRevision"/> until everything up to <paramref name="current"/> was seen.</summary>
    private async Task<EtcdLookupResult> WatchAsync(Uri endpoint, byte[] key, long fromRevision, long current, EtcdLookupMode mode, CancellationToken cancellationToken)
    {
        var create = new WatchCreateRequest { StartRevision = fromRevision + 1, Fragment = true };
        if (mode == EtcdLookupMode.ProgressRequests)
        {
            create.Key = ByteString.CopyFrom(key);
            create.RangeEnd = ByteString.CopyFrom(EtcdKeys.PrefixEnd(key));
        }
        else
        {
            create.Key = ByteString.CopyFrom(EtcdKeys.Zero);
            create.RangeEnd = ByteString.CopyFrom(EtcdKeys.Zero);
        }

        await using var watch = await _client.OpenWatchAsync(endpoint, new WatchRequest { CreateRequest = create }, cancellationToken);
        var scan = new EtcdRevisionScan(key, fromRevision, current, mode);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? progress = null;
        try
        {
            // Bounded in time by the lookup's deadline (cancellationToken), which ends the read.
            while (true)
            {
                var response = await watch.ReadAsync(cancellationToken)
                    ?? throw new EtcdRpcException($"etcd {EtcdGrpcClient.WatchMethod} at {endpoint} ended the stream before the lookup completed");
                if (scan.Observe(response))
                {
                    return scan.Result;
                }

                if (response.Created && mode == EtcdLookupMode.ProgressRequests)
                {
                    progress ??= RequestProgressAsync(watch, stopProgress.Token);
                }
            }
        }
        finally
        {
            await stopProgress.CancelAsync();
            if (progress is not null)
            {
                await progress;
            }
        }
    }

    /// <summary>Sends a progress request now and every <see cref="ProgressRequestInterval"/> until stopped (or the time-out's worth).</summary>
    private async Task RequestProgressAsync(EtcdWatchStream watch, CancellationToken cancellationToken)
    {
        var request = new WatchRequest { ProgressRequest = new WatchProgressRequest() };
        var limit = (int)(_requestTimeout / ProgressRequestInterval) + 1;
        try
        {
            for (var i = 0; i < limit; i++)
            {
                watch.Send(request);
                await Task.Delay(ProgressRequestInterval, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The lookup is done (or out of time).
        }
    }

    /// <summary>The endpoint's <see cref="EtcdLookupMode"/>, asking its version once.</summary>
    private async Task<EtcdLookupMode> ModeAsync(int index, CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref _modes[index]);
        if (known != 0)
        {
            return (EtcdLookupMode)(known - 1);
        }

        var status = await _client.StatusAsync(_endpoints[index], cancellationToken);
        var mode = EtcdVersions.ModeFor(status.Version);
        Volatile.Write(ref _modes[index], (int)mode + 1);
        LogMode(_endpoints[index], status.Version, mode);
        return mode;
    }

    /// <summary>After a failure at endpoint <paramref name="index"/>: the next lookup starts at the next endpoint, and asks its version again.</summary>
    private void MoveOn(int index)
    {
        Volatile.Write(ref _modes[index], 0);
        Interlocked.CompareExchange(ref _endpoint, (index + 1) % _endpoints.Length, index);
    }

    [LoggerMessage(EventId = 600, Level = LogLevel.Debug, Message = "etcd revision lookup for {Prefix} from revision {FromRevision}: current {Current}, last change {LastChange} (exact: {Exact}, mode: {Mode}) in {ElapsedMilliseconds:0.0} ms at {Endpoint}")]
    private partial void LogLookup(string prefix, long fromRevision, long current, long lastChange, bool exact, EtcdLookupMode? mode, double elapsedMilliseconds, Uri endpoint);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "etcd at {Endpoint} runs version {Version}: revision lookups use {Mode}")]
    private partial void LogMode(Uri endpoint, string version, EtcdLookupMode mode);

    [LoggerMessage(EventId = 602, Level = LogLevel.Debug, Message = "etcd at {Endpoint} failed the revision lookup for {Prefix}: {Reason}")]
    private partial void LogEndpointFailed(Uri endpoint, string prefix, string reason);
}
