using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Storage;
using ApiCache.Serving;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Api;

/// <summary>
/// "Not older than N" for reads: waits a bounded time for the store to reach revision N, then
/// answers the apiserver's 504 <c>Too large resource version</c> (with Retry-After: 1).
/// </summary>
internal sealed class RevisionGate(IRevisionedStore store, IOptions<DevServerOptions> options, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Null once the store has reached <paramref name="revision"/>; the 504 error when the wait ran out.</summary>
    public async Task<StatusError?> WaitForAsync(long revision, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.Value.TooLargeResourceVersionWait;
        while (true)
        {
            var current = await store.GetRevisionAsync(cancellationToken);
            if (current >= revision)
            {
                return null;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return TooLarge(revision, current);
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>The apiserver's 504 for a resourceVersion the storage has not reached.</summary>
    public static StatusError TooLarge(long requested, long current) =>
        new(504, "Timeout", $"Timeout: Too large resource version: {requested}, current: {current}")
        {
            Causes = [new StatusCause("ResourceVersionTooLarge", "Too large resource version")],
            RetryAfterSeconds = 1,
        };
}
