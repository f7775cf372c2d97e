using ApiCache.Informers;
using ApiCache.Storage;

namespace ApiCache.Tests.Informers;

/// <summary>
/// An <see cref="IReflectorSink"/> that records every call and keeps the resulting state, so tests
/// can wait for a call and compare what the reflector delivered with what the upstream holds.
/// <see cref="Fault"/> lets a test make a call throw (e.g. <see cref="CacheBudgetExceededException"/>).
/// </summary>
internal sealed class RecordingSink : IReflectorSink
{
    /// <summary>Generous guard for waits; never a performance bound.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly List<SinkCall> _calls = [];
    private readonly SortedDictionary<ObjectKey, CachedObject> _state = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called for each call before it is applied; a non-null result is thrown instead (the call is still recorded).</summary>
    public Func<SinkCall, Exception?>? Fault { get; set; }

    public IReadOnlyList<SinkCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The objects as the last Replace and the Applies after it left them, by key.</summary>
    public IReadOnlyDictionary<ObjectKey, CachedObject> State
    {
        get
        {
            lock (_gate)
            {
                return new SortedDictionary<ObjectKey, CachedObject>(_state);
            }
        }
    }

    public IReadOnlyList<SinkCall> Of(SinkCallKind kind) => [.. Calls.Where(c => c.Kind == kind)];

    public void Replace(IReadOnlyList<CachedObject> items, long resourceVersion, ListTypeInfo typeInfo) =>
        Record(new SinkCall(SinkCallKind.Replace, resourceVersion, Items: [.. items], TypeInfo: typeInfo), () =>
        {
            _state.Clear();
            foreach (var item in items)
            {
                _state[item.Key] = item;
            }
        });

    public void Apply(WatchEventType type, CachedObject cachedObject) =>
        Record(new SinkCall(SinkCallKind.Apply, cachedObject.ResourceVersion, Type: type, Object: cachedObject), () =>
        {
            if (type == WatchEventType.Deleted)
            {
                _state.Remove(cachedObject.Key);
            }
            else
            {
                _state[cachedObject.Key] = cachedObject;
            }
        });

    public void Progress(long resourceVersion) => Record(new SinkCall(SinkCallKind.Progress, resourceVersion), () => { });

    public void RelistStarting(RelistReason reason) => Record(new SinkCall(SinkCallKind.RelistStarting, 0, Reason: reason), () => { });

    /// <summary>Waits until <paramref name="condition"/> holds for the calls so far; fails after <see cref="Deadline"/>.</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<SinkCall>, bool> condition, string what)
    {
        var deadline = Task.Delay(Deadline);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(_calls))
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (await Task.WhenAny(changed, deadline) == deadline)
            {
                Assert.Fail($"timed out waiting for {what}; calls: {string.Join(", ", Calls)}");
            }
        }
    }

    private void Record(SinkCall call, Action apply)
    {
        TaskCompletionSource changed;
        Exception? fault;
        lock (_gate)
        {
            _calls.Add(call);
            fault = Fault?.Invoke(call);
            if (fault is null)
            {
                apply();
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        if (fault is not null)
        {
            throw fault;
        }
    }
}
