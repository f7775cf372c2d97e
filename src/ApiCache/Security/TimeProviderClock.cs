using Microsoft.Extensions.Internal;

namespace ApiCache.Security;

/// <summary>
/// A <see cref="TimeProvider"/> as the clock <see cref="Microsoft.Extensions.Caching.Memory.MemoryCache"/>
/// expires entries by, so cached decisions expire by the host's (or a test's) time.
/// </summary>
internal sealed class TimeProviderClock(TimeProvider time) : ISystemClock
{
    /// <inheritdoc/>
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
