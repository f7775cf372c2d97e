using System.Text;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// Sends each request to the proxy and straight to the upstream, one after the other (never both at
/// once: the caller keeps the cluster still around a pair), and compares the two answers: status,
/// headers and framing (<see cref="CapturedResponse"/>), and the raw body byte for byte after
/// substituting the volatile values only (<see cref="VolatileValues"/>); a request for a Table or
/// for protobuf only must not have been answered by the cache. A LIST is followed through
/// all its pages, each side with its own continue tokens. Every difference is recorded with the
/// request and excerpts of both bodies around the first differing byte; the test fails on any.
/// </summary>
internal sealed class DifferentialHarness : IDisposable
{
    /// <summary>The most pages one LIST is followed through (a guard: the largest list here has fewer than 100 items).</summary>
    public const int MaxPages = 200;

    private const int MaxReportedDifferences = 25;

    private readonly HttpClient _proxy;
    private readonly HttpClient _direct;
    private readonly ReadPathRecorder _paths;
    private readonly List<string> _differences = [];

    public DifferentialHarness(Uri proxy, Uri direct, ReadPathRecorder paths)
    {
        _proxy = NewClient(proxy);
        _direct = NewClient(direct);
        _paths = paths;
    }

    /// <summary>The differences found so far (the first <see cref="MaxReportedDifferences"/> in full).</summary>
    public IReadOnlyList<string> Differences => _differences;

    /// <summary>How many differences were found in all.</summary>
    public int DifferenceCount { get; private set; }

    /// <summary>Request pairs compared so far (each page counts).</summary>
    public int Pairs { get; private set; }

    /// <summary>Pairs whose answer was 200 with a body (the rest were errors, compared all the same).</summary>
    public int SuccessfulPairs { get; private set; }

    /// <summary>
    /// Compares one request; for a LIST, then every further page (<paramref name="betweenPages"/> runs
    /// before each next page, e.g. a write that the pinned continue tokens must not see). Returns the pages compared.
    /// </summary>
    public async Task<int> CompareAsync(DifferentialRequest request, Func<Task>? betweenPages = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var proxyTarget = request.Target;
        var directTarget = request.Target;
        for (var page = 1; page <= MaxPages; page++)
        {
            var (proxy, direct) = await ComparePairAsync(request, proxyTarget, directTarget, page);
            if (proxy.Status != direct.Status || proxy.ContinueToken is null || direct.ContinueToken is null)
            {
                return page; // different (recorded), or the last page
            }

            if (betweenPages is not null)
            {
                await betweenPages();
            }

            proxyTarget = request.TargetWithContinue(proxy.ContinueToken);
            directTarget = request.TargetWithContinue(direct.ContinueToken);
        }

        Record($"{request.Describe()}  followed {MaxPages} pages without reaching the last one");
        return MaxPages;
    }

    private async Task<(CapturedResponse Proxy, CapturedResponse Direct)> ComparePairAsync(DifferentialRequest request, string proxyTarget, string directTarget, int page)
    {
        _paths.TakeRecent();
        var proxy = await SendAsync(_proxy, request, proxyTarget);
        var path = _paths.TakeRecent();
        var direct = await SendAsync(_direct, request, directTarget);
        Pairs++;
        if (proxy.Status == 200 && proxy.Body.Length > 0)
        {
            SuccessfulPairs++;
        }

        var problems = new StringBuilder();
        if (request.AsksForAnotherRendering && path.Contains("/cache_", StringComparison.Ordinal))
        {
            problems.Append("  the proxy answered from its cache a request for another rendering than plain JSON (it must forward it)\n");
        }

        if (proxy.Status != direct.Status)
        {
            problems.Append($"  status: proxy {proxy.Status}, upstream {direct.Status}\n");
        }

        foreach (var name in proxy.Headers.Keys.Union(direct.Headers.Keys).Order(StringComparer.Ordinal))
        {
            var p = proxy.Headers.GetValueOrDefault(name);
            var d = direct.Headers.GetValueOrDefault(name);
            if (p != d)
            {
                problems.Append($"  header {name}: proxy {Quote(p)}, upstream {Quote(d)}\n");
            }
        }

        var at = ByteExcerpt.FirstDifference(proxy.Normalized, direct.Normalized);
        if (at >= 0)
        {
            problems.Append($"  body (normalised; proxy {proxy.Normalized.Length} bytes, upstream {direct.Normalized.Length} bytes) differs at byte {at}:\n")
                .Append("    proxy:    ").Append(ByteExcerpt.Around(proxy.Normalized, at)).Append('\n')
                .Append("    upstream: ").Append(ByteExcerpt.Around(direct.Normalized, at)).Append('\n');
        }

        if (problems.Length > 0)
        {
            var targets = proxyTarget == directTarget ? "" : $"  page {page}: proxy GET {proxyTarget}\n          upstream GET {directTarget}\n";
            Record($"{request.Describe()}{targets}  proxy answered via {path}\n{problems}");
        }

        return (proxy, direct);
    }

    private void Record(string difference)
    {
        DifferenceCount++;
        if (_differences.Count < MaxReportedDifferences)
        {
            _differences.Add(difference);
        }
    }

    private static string Quote(string? value) => value is null ? "(absent)" : "\"" + value + "\"";

    private static async Task<CapturedResponse> SendAsync(HttpClient client, DifferentialRequest request, string target)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, target);
        foreach (var (name, value) in request.Headers)
        {
            Assert.True(message.Headers.TryAddWithoutValidation(name, value), $"cannot send header {name}: {value}");
        }

        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        return await CapturedResponse.ReadAsync(response);
    }

    /// <summary>A client that adds nothing: no default headers, no decompression, no proxy, no redirects.</summary>
    private static HttpClient NewClient(Uri address) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = System.Net.DecompressionMethods.None })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };

    public void Dispose()
    {
        _proxy.Dispose();
        _direct.Dispose();
    }
}
