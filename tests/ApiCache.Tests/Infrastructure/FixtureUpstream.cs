using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ApiCache.Tests.Infrastructure;

/// <summary>A request as it reached <see cref="FixtureUpstream"/>.</summary>
/// <param name="Method">The request method.</param>
/// <param name="Target">The raw request target (path and query exactly as sent).</param>
/// <param name="Headers">The request headers, names case-insensitive, repeated values joined with ", ".</param>
internal sealed record RecordedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The value of a header, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A recorded apiserver answer: status code, headers in their recorded order, and the exact body bytes.</summary>
internal sealed record FixtureResponse(string Name, int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>The value of the first header with this name (case-insensitive), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// A loopback "kube-apiserver" that replays the recorded exchanges of <see cref="TestPaths.FixturesDirectory"/>.
/// A request whose method and raw target equal a fixture's request line is answered with that fixture's
/// status, headers (without the framing and hop-by-hop ones) and exact body bytes; anything else gets the
/// apiserver's generic NotFound Status. Every request is recorded for assertions.
/// </summary>
/// <remarks>
/// Only complete HTTP/1.1 answers are replayed: fixtures that keep a prefix of the body (<c>*-first2KB</c>,
/// <c>*-headers-only</c>, or "(stored first N)" in <c>manifest.tsv</c>), keep the body in a <c>.response.bin</c>,
/// were cut by the client (curl exit code other than 0) or were recorded over HTTP/2 are left out. When several
/// fixtures share a method and target, the one with <c>Accept: application/json</c> made as <c>admin</c> with the
/// default fixture User-Agent wins (in that order of importance), then the first by name. The Accept header of
/// incoming requests is not matched.
/// </remarks>
internal sealed class FixtureUpstream : IAsyncDisposable
{
    /// <summary>What the apiserver answers for a path it does not serve (fixture 03-get-unknown-resource-404).</summary>
    public const string NotFoundBody =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"details\":{},\"code\":404}\n";

    /// <summary>Framing and hop-by-hop headers that Kestrel sets itself.</summary>
    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Transfer-Encoding", "Content-Length", "Connection", "Keep-Alive", "Date",
    };

    private static readonly Lazy<FixtureIndex> Index = new(FixtureIndex.Load);

    private readonly LoopbackServer _server;
    private readonly ConcurrentQueue<RecordedRequest> _requests;

    private FixtureUpstream(LoopbackServer server, ConcurrentQueue<RecordedRequest> requests)
    {
        _server = server;
        _requests = requests;
    }

    /// <summary>The base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address => _server.Address;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Starts the upstream on a free loopback port.</summary>
    public static async Task<FixtureUpstream> StartAsync()
    {
        var index = Index.Value;
        var requests = new ConcurrentQueue<RecordedRequest>();
        var server = await LoopbackServer.StartAsync(
            app => app.Run(context => AnswerAsync(context, index, requests)),
            configureKestrel: kestrel => kestrel.AddServerHeader = false);
        return new FixtureUpstream(server, requests);
    }

    /// <summary>The recorded answer of fixture <paramref name="name"/> (e.g. <c>01-discovery-version</c>).</summary>
    public static FixtureResponse Fixture(string name) => Index.Value.Response(name);

    /// <summary>The exact recorded body bytes of fixture <paramref name="name"/>.</summary>
    public static byte[] FixtureBody(string name) => Fixture(name).Body;

    /// <summary>The recorded response body of fixture <paramref name="name"/> as UTF-8 text.</summary>
    public static string FixtureText(string name) => System.Text.Encoding.UTF8.GetString(FixtureBody(name));

    /// <summary>Whether a replayable fixture answers <paramref name="method"/> <paramref name="target"/>.</summary>
    public static bool HasFixtureFor(string method, string target) => Index.Value.Find(method, target) is not null;

    /// <summary>The requests received so far for exactly this raw target.</summary>
    public IReadOnlyList<RecordedRequest> RequestsFor(string target) => [.. _requests.Where(r => r.Target == target)];

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task AnswerAsync(HttpContext context, FixtureIndex index, ConcurrentQueue<RecordedRequest> requests)
    {
        var method = context.Request.Method;
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (headerName, values) in context.Request.Headers)
        {
            headers[headerName] = values.ToString();
        }

        requests.Enqueue(new RecordedRequest(method, target, headers));

        var name = index.Find(method, target);
        var response = context.Response;
        if (name is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.Headers.CacheControl = "no-cache, private";
            response.ContentType = "application/json";
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(NotFoundBody), context.RequestAborted);
            return;
        }

        var fixture = index.Response(name);
        response.StatusCode = fixture.StatusCode;
        foreach (var (header, value) in fixture.Headers)
        {
            if (!SkippedHeaders.Contains(header))
            {
                response.Headers.Append(header, value);
            }
        }

        await response.Body.WriteAsync(fixture.Body, context.RequestAborted);
    }

    /// <summary>The replayable fixtures by method and target; responses are parsed on first use.</summary>
    private sealed class FixtureIndex
    {
        private readonly Dictionary<string, string> _byRequest;
        private readonly ConcurrentDictionary<string, FixtureResponse> _responses = new(StringComparer.Ordinal);

        private FixtureIndex(Dictionary<string, string> byRequest) => _byRequest = byRequest;

        public static FixtureIndex Load()
        {
            var directory = TestPaths.FixturesDirectory;
            var manifest = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var line in File.ReadLines(Path.Join(directory, "manifest.tsv")))
            {
                var fields = line.Split('\t');
                if (fields.Length >= 5)
                {
                    manifest[fields[0]] = fields;
                }
            }

            var candidates = new Dictionary<string, (string Name, int Score)>(StringComparer.Ordinal);
            // By fixture name, so that "01-discovery-version" comes before "01-discovery-version-curl-ua-pretty".
            var names = Directory.GetFiles(directory, "*.request.txt")
                .Select(file => Path.GetFileName(file)[..^".request.txt".Length])
                .Order(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (name.EndsWith("-first2KB", StringComparison.Ordinal) || name.EndsWith("-headers-only", StringComparison.Ordinal)
                    || File.Exists(Path.Join(directory, name + ".response.bin"))
                    || !File.Exists(Path.Join(directory, name + ".response.txt"))
                    || !manifest.TryGetValue(name, out var entry) || entry[2] != "http1.1" || entry[4] != "curl_rc=0"
                    || entry.Any(field => field.Contains("(stored first", StringComparison.Ordinal)))
                {
                    // Not replayable: a prefix of the body only (some headers-only fixtures do not say so in
                    // their name, only in the manifest's body_bytes), a binary body, HTTP/2, or cut by the client.
                    continue;
                }

                var lines = File.ReadAllLines(Path.Join(directory, name + ".request.txt"));
                var requestLine = lines[0].Split(' ');
                if (requestLine.Length != 3 || requestLine[2] != "HTTP/1.1")
                {
                    continue;
                }

                var headers = lines.Skip(1).TakeWhile(l => l.Length > 0).ToList();
                var score = (RequestHeader(headers, "Accept") == "application/json" ? 4 : 0)
                    + (entry[1] == "admin" ? 2 : 0)
                    + (RequestHeader(headers, "User-Agent")?.StartsWith("fixture-client/", StringComparison.Ordinal) == true ? 1 : 0);
                var key = Key(requestLine[0], requestLine[1]);
                if (!candidates.TryGetValue(key, out var existing) || score > existing.Score)
                {
                    candidates[key] = (name, score);
                }
            }

            return new FixtureIndex(candidates.ToDictionary(c => c.Key, c => c.Value.Name, StringComparer.Ordinal));
        }

        private static string? RequestHeader(List<string> headers, string name) => headers
            .Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(l => l[(name.Length + 1)..].Trim())
            .FirstOrDefault();

        public string? Find(string method, string target) => _byRequest.GetValueOrDefault(Key(method, target));

        public FixtureResponse Response(string name) => _responses.GetOrAdd(name, Parse);

        private static string Key(string method, string target) => method + " " + target;

        private static FixtureResponse Parse(string name)
        {
            var bytes = File.ReadAllBytes(Path.Join(TestPaths.FixturesDirectory, name + ".response.txt"));
            var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                throw new InvalidDataException($"{name}.response.txt has no end of headers (CRLF CRLF).");
            }

            var head = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
            var status = head[0].Split(' ', 3);
            var headers = new List<KeyValuePair<string, string>>();
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }

            return new FixtureResponse(
                name,
                int.Parse(status[1], System.Globalization.CultureInfo.InvariantCulture),
                headers,
                bytes[(end + 4)..]);
        }
    }
}
