using Microsoft.Extensions.Internal;

namespace ApiCache.Security;

/// <summary>
/// The clock <see cref="Microsoft.Extensions.Caching.Memory.MemoryCache"/> reads expirations from,
/// backed by the host's <see cref="TimeProvider"/>, so cached reviews expire on the same (testable) time as the rest of ApiCache.
/// </summary>
internal sealed class TimeProviderClock(TimeProvider time) : ISystemClock
{
    /// <inheritdoc/>
    public DateTimeOffset UtcNow => time.GetUtcNow();
}
