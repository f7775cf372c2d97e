using System.Collections.Concurrent;
using ApiCache.Security;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// An <see cref="IAccessReviewer"/> standing in for the upstream: decides by a rule the test sets,
/// counts the reviews it was asked for, and can hold them until the test releases them or fail them
/// as unavailable.
/// </summary>
internal sealed class RecordingReviewer : IAccessReviewer
{
    private readonly ConcurrentQueue<AccessReviewAttributes> _reviews = new();
    private TaskCompletionSource _gate = CompletedGate();

    /// <summary>The decision for a review.</summary>
    public Func<AccessReviewAttributes, AccessDecision> Rule { get; set; } = _ => AccessDecision.Allow;

    /// <summary>Throw <see cref="AccessReviewUnavailableException"/> instead of deciding.</summary>
    public bool Unavailable { get; set; }

    /// <summary>How many reviews were asked for.</summary>
    public int Calls => _reviews.Count;

    /// <summary>The reviews asked for, in order.</summary>
    public IReadOnlyList<AccessReviewAttributes> Reviews => [.. _reviews];

    /// <summary>Makes the next reviews wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets held reviews decide.</summary>
    public void Release() => _gate.TrySetResult();

    public async ValueTask<AccessDecision> ReviewAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        _reviews.Enqueue(attributes);
        await _gate.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return Unavailable ? throw new AccessReviewUnavailableException("the upstream is down (test)") : Rule(attributes);
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }
}
