using System.Runtime.CompilerServices;
using System.Text;
using ApiCache.DevServer.Etcd;

namespace ApiCache.DevServer.Storage;

/// <summary>
/// <see cref="IRevisionedStore"/> over a real etcd (v3 JSON gateway): the same operations the
/// kube-apiserver's etcd3 storage makes. Create is a transaction "create revision == 0 then put,
/// else read"; update "mod revision == expected then put, else read"; delete "(mod revision ==
/// expected) then delete, else read"; bulk creation is transactions of at most
/// <see cref="MaxOperationsPerTransaction"/> puts; compaction is physical.
/// </summary>
/// <remarks>
/// <para>
/// Keys are used as given, behind an optional <see cref="KeyPrefix"/> prepended on every request
/// and stripped from every answer, so that several stores (tests) can share one etcd. Revisions,
/// and compaction, are etcd-wide: they are shared with everything else in that etcd.
/// </para>
/// <para>
/// etcd does not report its compacted revision directly, nor in its "required revision has been
/// compacted" error. <see cref="GetCompactedRevisionAsync"/> and the compaction errors learn it by a
/// follow-up: a read at revision 1 tells whether anything was compacted, and a watch from an old
/// revision on a key that is never written is then canceled by etcd with the compacted revision.
/// A compaction at revision 1 (which discards nothing) is only seen when this store made it.
/// </para>
/// </remarks>
internal sealed class EtcdRevisionedStore : IRevisionedStore
{
    /// <summary>The most operations etcd accepts in one transaction branch by default (<c>--max-txn-ops</c>).</summary>
    public const int MaxOperationsPerTransaction = 128;

    /// <summary>
    /// The most key and value bytes written by one bulk transaction: etcd refuses requests above 1.5 MiB
    /// by default (<c>--max-request-bytes</c>). A single larger item still goes alone (and etcd decides).
    /// </summary>
    private const int MaxBytesPerTransaction = 1024 * 1024;

    /// <summary>How long the follow-up that learns the compacted revision may take before falling back to what is known.</summary>
    private static readonly TimeSpan CompactionProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly EtcdClient _client;
    private readonly bool _ownsClient;
    private readonly byte[] _probeKey;
    private long _knownCompactedRevision;

    /// <summary>Creates a store with its own <see cref="EtcdClient"/> for the etcd at <paramref name="endpoint"/>.</summary>
    public EtcdRevisionedStore(Uri endpoint, string keyPrefix = "")
        : this(new EtcdClient(endpoint), keyPrefix, ownsClient: true)
    {
    }

    /// <summary>Creates a store over <paramref name="client"/>, which the caller keeps owning.</summary>
    public EtcdRevisionedStore(EtcdClient client, string keyPrefix = "")
        : this(client, keyPrefix, ownsClient: false)
    {
    }

    private EtcdRevisionedStore(EtcdClient client, string keyPrefix, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        _client = client;
        _ownsClient = ownsClient;
        KeyPrefix = keyPrefix;

        // A key no caller can write (store keys never contain NUL), read and watched only to learn revisions.
        _probeKey = ToEtcdKey("\0apicache-revision-probe");
    }

    /// <summary>The string prepended to every key in etcd (empty: keys as given).</summary>
    public string KeyPrefix { get; }

    /// <inheritdoc />
    public async ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.RangeAsync(new EtcdRangeRequest { Key = _probeKey, CountOnly = true }, cancellationToken);
            return response.Header.Revision;
        }
        catch (EtcdException e)
        {
            throw Unavailable(e);
        }
    }

    /// <inheritdoc />
    /// <remarks>Asks etcd each time (see the type's remarks): one read, plus one short watch when something was compacted.</remarks>
    public async ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Revision 1 exists in every etcd, so this read fails only when history was compacted.
            await _client.RangeAsync(new EtcdRangeRequest { Key = _probeKey, CountOnly = true, Revision = 1 }, cancellationToken);
            return Volatile.Read(ref _knownCompactedRevision);
        }
        catch (EtcdException e) when (e.IsRevisionCompacted)
        {
            return await WatchCompactedRevisionAsync(cancellationToken);
        }
        catch (EtcdException e)
        {
            throw Unavailable(e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Revision);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);

        var prefix = ToEtcdKey(request.Prefix);
        EtcdRangeRequest range;
        if (request.SingleKey)
        {
            range = new EtcdRangeRequest { Key = prefix };
        }
        else
        {
            var start = request.StartKey is { } startKey && string.CompareOrdinal(startKey, request.Prefix) > 0 ? ToEtcdKey(startKey) : prefix;

            // etcd reads "from \0 to \0" as every key; an empty key alone would be refused.
            range = new EtcdRangeRequest { Key = start.Length == 0 ? [0] : start, RangeEnd = EtcdClient.PrefixEnd(prefix) };
        }

        range = range with
        {
            Limit = request.Limit > 0 ? request.Limit : null,
            Revision = request.Revision > 0 ? request.Revision : null,
        };

        EtcdRangeResponse response;
        try
        {
            response = await _client.RangeAsync(range, cancellationToken);
        }
        catch (EtcdException e)
        {
            throw await MapErrorAsync(e, request.Revision, isCompaction: false, cancellationToken);
        }

        var items = response.Kvs.Select(ToStoreKeyValue).ToList();

        // etcd's header always carries the current revision; a past read was made at the revision asked for.
        var revision = request.Revision > 0 ? request.Revision : response.Header.Revision;
        return new StoreRange(items, revision, response.More, response.Count);
    }

    /// <inheritdoc />
    public async ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var etcdKey = ToEtcdKey(key);
        var response = await TxnAsync(
            new EtcdTxnRequest
            {
                Compare = [EtcdCompare.CreateRevisionEquals(etcdKey, 0)],
                Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = etcdKey, Value = value } }],
                Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = etcdKey } }],
            },
            cancellationToken);

        var revision = response.Header.Revision;
        return response.Succeeded
            ? new StoreWriteResult(true, revision, new StoreKeyValue(key, value, revision, revision))
            : new StoreWriteResult(false, revision, CurrentValue(response));
    }

    /// <inheritdoc />
    public async ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return await GetRevisionAsync(cancellationToken);
        }

        long revision = 0;
        var batch = new List<EtcdRequestOp>(Math.Min(items.Count, MaxOperationsPerTransaction));
        var batchKeys = new HashSet<string>(StringComparer.Ordinal);
        var batchBytes = 0L;
        foreach (var (key, value) in items)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            var etcdKey = ToEtcdKey(key);

            // A new transaction when this one is full, or already writes the key (etcd refuses duplicate keys in a transaction).
            var size = etcdKey.Length + value.Length;
            if (batch.Count > 0
                && (batch.Count == MaxOperationsPerTransaction || batchBytes + size > MaxBytesPerTransaction || batchKeys.Contains(key)))
            {
                revision = await PutAllAsync(batch, cancellationToken);
                batch.Clear();
                batchKeys.Clear();
                batchBytes = 0;
            }

            batch.Add(new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = etcdKey, Value = value } });
            batchKeys.Add(key);
            batchBytes += size;
        }

        return await PutAllAsync(batch, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var etcdKey = ToEtcdKey(key);
        var response = await TxnAsync(
            new EtcdTxnRequest
            {
                // The key must exist too: a missing key's mod revision 0 would otherwise match an expected 0.
                Compare = [EtcdCompare.ModRevisionEquals(etcdKey, expectedModRevision), EtcdCompare.CreateRevisionGreater(etcdKey, 0)],
                Success = [new EtcdRequestOp { RequestPut = new EtcdPutRequest { Key = etcdKey, Value = value, PrevKv = true } }],
                Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = etcdKey } }],
            },
            cancellationToken);

        var revision = response.Header.Revision;
        if (!response.Succeeded)
        {
            return new StoreWriteResult(false, revision, CurrentValue(response));
        }

        var createRevision = FirstResponse(response)?.ResponsePut?.PrevKv?.CreateRevision ?? revision;
        return new StoreWriteResult(true, revision, new StoreKeyValue(key, value, createRevision, revision));
    }

    /// <inheritdoc />
    public async ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var etcdKey = ToEtcdKey(key);
        var response = await TxnAsync(
            new EtcdTxnRequest
            {
                Compare = expectedModRevision is { } expected ? [EtcdCompare.ModRevisionEquals(etcdKey, expected)] : [],
                Success = [new EtcdRequestOp { RequestDeleteRange = new EtcdDeleteRangeRequest { Key = etcdKey, PrevKv = true } }],
                Failure = [new EtcdRequestOp { RequestRange = new EtcdRangeRequest { Key = etcdKey } }],
            },
            cancellationToken);

        var revision = response.Header.Revision;
        if (!response.Succeeded)
        {
            return new StoreWriteResult(false, revision, CurrentValue(response));
        }

        // etcd "succeeds" in deleting a missing key (deleted: 0); the store reports that as a failure.
        var deleted = FirstResponse(response)?.ResponseDeleteRange;
        return deleted is { Deleted: > 0, PrevKvs: [var previous, ..] }
            ? new StoreWriteResult(true, revision, ToStoreKeyValue(previous))
            : new StoreWriteResult(false, revision, null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Opens one etcd watch from <c>afterRevision + 1</c> with previous values and progress
    /// notifications (etcd sends those at its <c>--experimental-watch-progress-notify-interval</c>,
    /// 10 minutes by default, and only once the watch has caught up). The sequence never ends by
    /// itself: a broken stream throws <see cref="StoreUnavailableException"/>.
    /// </remarks>
    public async IAsyncEnumerable<StoreEvent> WatchAsync(
        string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegative(afterRevision);
        var etcdPrefix = ToEtcdKey(prefix);
        var request = new EtcdWatchCreateRequest
        {
            Key = etcdPrefix.Length == 0 ? [0] : etcdPrefix,
            RangeEnd = EtcdClient.PrefixEnd(etcdPrefix),
            StartRevision = afterRevision + 1,
            PrevKv = true,
            ProgressNotify = true,
        };

        await using var messages = _client.WatchAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);

        // Runs until the caller cancels (or disposes the enumerator), or the stream breaks (throws).
        while (true)
        {
            var message = await NextWatchMessageAsync(messages, cancellationToken);
            if (message.Canceled)
            {
                if (message.CompactRevision > 0)
                {
                    RecordCompaction(message.CompactRevision);
                    throw new StoreRevisionCompactedException(afterRevision, message.CompactRevision);
                }

                throw new StoreUnavailableException($"etcd canceled the watch on {prefix}: {message.CancelReason ?? "no reason given"}");
            }

            if (message.Created)
            {
                continue;
            }

            if (message.IsProgressNotify)
            {
                yield return new StoreEvent(StoreEventType.Progress, message.Header.Revision, null, null);
                continue;
            }

            foreach (var change in message.Events)
            {
                yield return ToStoreEvent(change);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Like etcd: a revision at or below the compacted one throws <see cref="StoreRevisionCompactedException"/>,
    /// one above the current revision <see cref="StoreFutureRevisionException"/>.
    /// </remarks>
    public async ValueTask CompactAsync(long revision, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CompactAsync(revision, physical: true, cancellationToken);
            RecordCompaction(revision);
        }
        catch (EtcdException e)
        {
            throw await MapErrorAsync(e, revision, isCompaction: true, cancellationToken);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static StoreUnavailableException Unavailable(EtcdException e) => new(e.Message, e);

    /// <summary>The answer of a transaction branch's single operation.</summary>
    private static EtcdResponseOp? FirstResponse(EtcdTxnResponse response) => response.Responses is [var first, ..] ? first : null;

    /// <summary>The key-value the failure branch's read found, or null when the key does not exist.</summary>
    private StoreKeyValue? CurrentValue(EtcdTxnResponse response) =>
        FirstResponse(response)?.ResponseRange?.Kvs is [var current, ..] ? ToStoreKeyValue(current) : null;

    private async Task<EtcdTxnResponse> TxnAsync(EtcdTxnRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.TxnAsync(request, cancellationToken);
        }
        catch (EtcdException e)
        {
            throw Unavailable(e);
        }
    }

    private async Task<long> PutAllAsync(List<EtcdRequestOp> puts, CancellationToken cancellationToken)
    {
        var response = await TxnAsync(new EtcdTxnRequest { Success = [.. puts] }, cancellationToken);
        return response.Header.Revision;
    }

    private static async Task<EtcdWatchResponse> NextWatchMessageAsync(IAsyncEnumerator<EtcdWatchResponse> messages, CancellationToken cancellationToken)
    {
        try
        {
            if (await messages.MoveNextAsync())
            {
                return messages.Current;
            }
        }
        catch (EtcdException e)
        {
            throw Unavailable(e);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new StoreUnavailableException("the etcd watch stream ended");
    }

    /// <summary>Turns an etcd error about <paramref name="requestedRevision"/> into the store's exception.</summary>
    private async Task<Exception> MapErrorAsync(EtcdException e, long requestedRevision, bool isCompaction, CancellationToken cancellationToken)
    {
        if (e.IsRevisionCompacted)
        {
            // A read is refused below the compacted revision, a compaction at or below it.
            long compacted;
            try
            {
                compacted = await GetCompactedRevisionAsync(cancellationToken);
            }
            catch (StoreUnavailableException)
            {
                compacted = Volatile.Read(ref _knownCompactedRevision);
            }

            return new StoreRevisionCompactedException(requestedRevision, Math.Max(compacted, isCompaction ? requestedRevision : requestedRevision + 1));
        }

        if (e.IsFutureRevision)
        {
            long current;
            try
            {
                current = (await _client.RangeAsync(new EtcdRangeRequest { Key = _probeKey, CountOnly = true }, cancellationToken)).Header.Revision;
            }
            catch (EtcdException)
            {
                current = 0;
            }

            return new StoreFutureRevisionException(requestedRevision, current);
        }

        return Unavailable(e);
    }

    /// <summary>
    /// Learns the compacted revision once a read at revision 1 was refused as compacted: etcd answers a
    /// watch from revision 1 with "created", then "canceled" with its compacted revision. Falls back
    /// to the last revision known when etcd does not say so in time.
    /// </summary>
    private async Task<long> WatchCompactedRevisionAsync(CancellationToken cancellationToken)
    {
        var request = new EtcdWatchCreateRequest { Key = _probeKey, StartRevision = 1 };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CompactionProbeTimeout);
        try
        {
            // Nobody writes the probe key, so no events come; a few messages at most.
            var seen = 0;
            await foreach (var message in _client.WatchAsync(request, timeout.Token))
            {
                if (message.CompactRevision > 0)
                {
                    RecordCompaction(message.CompactRevision);
                    break;
                }

                if (message.Canceled || ++seen >= 10)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: fall back below.
        }
        catch (EtcdException)
        {
            // Unreachable now: fall back below.
        }

        return Volatile.Read(ref _knownCompactedRevision);
    }

    private void RecordCompaction(long revision)
    {
        var known = Volatile.Read(ref _knownCompactedRevision);
        while (revision > known)
        {
            var seen = Interlocked.CompareExchange(ref _knownCompactedRevision, revision, known);
            if (seen == known)
            {
                return;
            }

            known = seen;
        }
    }

    private StoreEvent ToStoreEvent(EtcdEvent change)
    {
        var previous = change.PrevKv is { } prevKv ? ToStoreKeyValue(prevKv) : null;
        if (change.IsDelete)
        {
            // etcd's delete event carries the key and the delete revision only.
            var deleted = new StoreKeyValue(FromEtcdKey(change.Kv.Key), [], 0, change.Kv.ModRevision);
            return new StoreEvent(StoreEventType.Delete, change.Kv.ModRevision, deleted, previous);
        }

        return new StoreEvent(StoreEventType.Put, change.Kv.ModRevision, ToStoreKeyValue(change.Kv), previous);
    }

    private StoreKeyValue ToStoreKeyValue(EtcdKeyValue kv) => new(FromEtcdKey(kv.Key), kv.Value, kv.CreateRevision, kv.ModRevision);

    private byte[] ToEtcdKey(string key) => Encoding.UTF8.GetBytes(KeyPrefix + key);

    private string FromEtcdKey(byte[] key)
    {
        var text = Encoding.UTF8.GetString(key);
        return text.StartsWith(KeyPrefix, StringComparison.Ordinal) ? text[KeyPrefix.Length..] : text;
    }
}
