using System.Collections.Concurrent;
using ApiCache.Security;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>An <see cref="IAccessReviewer"/> that allows what <paramref name="allow"/> says and records every question.</summary>
internal sealed class FakeAccessReviewer(Func<AccessReviewAttributes, bool> allow) : IAccessReviewer
{
    private readonly ConcurrentQueue<AccessReviewAttributes> _asked = new();

    /// <summary>Every review asked for, in order.</summary>
    public IReadOnlyList<AccessReviewAttributes> Asked => [.. _asked];

    public ValueTask<AccessDecision> ReviewAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        _asked.Enqueue(attributes);
        return ValueTask.FromResult(allow(attributes) ? AccessDecision.Allow : AccessDecision.NoOpinion);
    }
}
