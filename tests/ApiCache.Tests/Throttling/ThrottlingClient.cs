using System.Net.Http.Headers;
using System.Text;

namespace ApiCache.Tests.Throttling;

/// <summary>An HTTP client for a proxy under test that sends a chosen User-Agent (and optionally a bearer token).</summary>
internal sealed class ThrottlingClient : IDisposable
{
    private readonly HttpClient _client;

    public ThrottlingClient(Uri address) =>
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Sends <paramref name="method"/> <paramref name="target"/> as <paramref name="userAgent"/>; reads headers only when <paramref name="headersOnly"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(
        string method,
        string target,
        string? userAgent = null,
        string? token = null,
        string? body = null,
        bool headersOnly = false)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(target, UriKind.Relative));
        if (userAgent is not null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await _client.SendAsync(request, headersOnly ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
    }

    /// <summary>GETs <paramref name="target"/> as <paramref name="userAgent"/> and returns the status code.</summary>
    public async Task<int> StatusAsync(string target, string userAgent)
    {
        using var response = await SendAsync("GET", target, userAgent);
        return (int)response.StatusCode;
    }

    public void Dispose() => _client.Dispose();
}
