using ApiCache.DevServer.Storage;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// Collects generated key-values into <see cref="IRevisionedStore.CreateManyAsync"/> batches of at
/// most <see cref="SeedOptions.BatchSize"/> items and <see cref="SeedOptions.MaxBatchBytes"/> bytes.
/// One batch is written while the next is generated (at most one write in flight, in order).
/// </summary>
internal sealed class SeedBatcher : IAsyncDisposable
{
    private readonly IRevisionedStore _store;
    private readonly int _batchSize;
    private readonly long _maxBatchBytes;
    private readonly CancellationToken _cancellationToken;
    private List<KeyValuePair<string, byte[]>> _current;
    private long _currentBytes;
    private Task<long>? _inFlight;

    /// <summary>Creates a batcher writing to <paramref name="store"/>.</summary>
    public SeedBatcher(IRevisionedStore store, SeedOptions options, CancellationToken cancellationToken)
    {
        _store = store;
        _batchSize = options.BatchSize;
        _maxBatchBytes = options.MaxBatchBytes;
        _cancellationToken = cancellationToken;
        _current = new List<KeyValuePair<string, byte[]>>(Math.Min(_batchSize, 4096));
    }

    /// <summary>Batches written (or being written).</summary>
    public int Batches { get; private set; }

    /// <summary>Value bytes added.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>The store revision after the last completed batch (0 before any).</summary>
    public long Revision { get; private set; }

    /// <summary>Adds one key-value; writes the current batch first when this one would not fit.</summary>
    public async ValueTask AddAsync(string key, byte[] value)
    {
        if (_current.Count > 0 && (_current.Count >= _batchSize || _currentBytes + value.Length > _maxBatchBytes))
        {
            await SendAsync();
        }

        _current.Add(new KeyValuePair<string, byte[]>(key, value));
        _currentBytes += value.Length;
        TotalBytes += value.Length;
    }

    /// <summary>Writes what is left and waits for every write; returns the store revision after the last one (0 when nothing was written).</summary>
    public async Task<long> CompleteAsync()
    {
        if (_current.Count > 0)
        {
            await SendAsync();
        }

        if (_inFlight is not null)
        {
            var inFlight = _inFlight;
            _inFlight = null;
            Revision = await inFlight;
        }

        return Revision;
    }

    /// <summary>Waits for a write still in flight (after a failure elsewhere), ignoring its outcome.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_inFlight is { } inFlight)
        {
            _inFlight = null;
            try
            {
                await inFlight;
            }
            catch (Exception)
            {
                // The seeding already failed; its own exception is the one that matters.
            }
        }
    }

    private async Task SendAsync()
    {
        if (_inFlight is not null)
        {
            var previous = _inFlight;
            _inFlight = null;
            Revision = await previous;
        }

        var batch = _current;
        _current = new List<KeyValuePair<string, byte[]>>(batch.Count);
        _currentBytes = 0;
        Batches++;
        _inFlight = _store.CreateManyAsync(batch, _cancellationToken).AsTask();
    }
}
