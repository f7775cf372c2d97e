using System.Net;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// GETs through a proxy whose cache may still be warming: a 429 (the cold-cache answer) is retried
/// after its Retry-After, as kubectl and client-go do, for at most <see cref="Limit"/>.
/// </summary>
internal static class WarmCache
{
    /// <summary>How long a test waits for the cache to warm before it gives up.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>The first answer that is not 429 (the caller disposes it).</summary>
    public static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path)
    {
        ArgumentNullException.ThrowIfNull(client);
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var response = await client.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || DateTime.UtcNow > deadline)
            {
                return response;
            }

            var delay = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds, 200)));
        }
    }
}
