using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>Sends a <see cref="MatrixRequest"/> and reduces the answer to what the matrix compares.</summary>
internal static class MatrixClient
{
    /// <summary>A hang guard for one request (watches end by their timeoutSeconds or the initial-events-end bookmark long before).</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Sends <paramref name="request"/> with <paramref name="client"/>; a create posts a configmap named
    /// <paramref name="createName"/>. <paramref name="headers"/> may add request headers (spoofing tests).
    /// </summary>
    public static async Task<MatrixAnswer> SendAsync(
        HttpClient client,
        MatrixRequest request,
        string createName,
        IReadOnlyList<(string Name, string Value)>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(request.Kind == MatrixKind.Create ? HttpMethod.Post : HttpMethod.Get, new Uri(request.Path, UriKind.Relative));
        message.Headers.Accept.ParseAdd("application/json");
        if (request.Kind == MatrixKind.Create)
        {
            message.Content = new StringContent(
                $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{createName}}}"},"data":{"k":"v"}}""",
                Encoding.UTF8);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        foreach (var (name, value) in headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var guard = new CancellationTokenSource(Guard);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, guard.Token);
        var status = (int)response.StatusCode;
        if (request.Kind == MatrixKind.Watch && status == 200)
        {
            return await ReadWatchAsync(response, guard.Token);
        }

        var body = await response.Content.ReadAsByteArrayAsync(guard.Token);
        var text = Encoding.UTF8.GetString(body);
        if (status is < 200 or >= 300)
        {
            // Errors: the whole Status body, byte for byte.
            return new MatrixAnswer(status, "body " + text, body);
        }

        var summary = request.Kind switch
        {
            MatrixKind.List => "items " + string.Join(", ", Items(text)),
            MatrixKind.Get => "object " + Describe(JsonNode.Parse(text)),
            MatrixKind.Create => "created",
            _ => "body " + text,
        };
        return new MatrixAnswer(status, summary, body);
    }

    private static IEnumerable<string> Items(string text)
    {
        var list = JsonNode.Parse(text) as JsonObject;
        return list?["items"] is JsonArray items
            ? items.Select(i => QualifiedName(i))
            : [$"(not a list: {text})"];
    }

    private static string Describe(JsonNode? obj) => $"{obj?["kind"]?.GetValue<string>()} {QualifiedName(obj)}";

    private static string QualifiedName(JsonNode? obj)
    {
        var metadata = obj?["metadata"];
        var ns = metadata?["namespace"]?.GetValue<string>();
        var name = metadata?["name"]?.GetValue<string>() ?? "?";
        return ns is null ? name : ns + "/" + name;
    }

    /// <summary>
    /// Reads watch events up to the initial-events-end bookmark or the end of the stream; the
    /// summary is the sorted set of initial objects (plus any ERROR event's message).
    /// </summary>
    private static async Task<MatrixAnswer> ReadWatchAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var events = new List<string>();
        var read = new StringBuilder();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        for (var lines = 0; lines < 10_000; lines++)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                break;
            }

            read.Append(line).Append('\n');
            if (line.Length == 0)
            {
                continue;
            }

            JsonNode? frame;
            try
            {
                frame = JsonNode.Parse(line);
            }
            catch (JsonException)
            {
                events.Add("unparsable " + line);
                continue;
            }

            var type = frame?["type"]?.GetValue<string>();
            var obj = frame?["object"];
            if (type == "BOOKMARK")
            {
                if (obj?["metadata"]?["annotations"]?["k8s.io/initial-events-end"]?.GetValue<string>() == "true")
                {
                    break;
                }

                continue;
            }

            events.Add(type == "ERROR" ? "ERROR " + obj?["message"]?.GetValue<string>() : type + " " + QualifiedName(obj));
        }

        events.Sort(StringComparer.Ordinal);
        return new MatrixAnswer(200, "events " + string.Join(", ", events), Encoding.UTF8.GetBytes(read.ToString()));
    }
}
