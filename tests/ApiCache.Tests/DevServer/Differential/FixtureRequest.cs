using System.Text;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Differential;

/// <summary>
/// The request side of a recorded exchange (<c>NAME.request.txt</c>: request line, headers, a blank
/// line, then the body bytes; LF line ends), as curl sent it to the real apiserver.
/// </summary>
/// <param name="Name">The fixture name, e.g. <c>02-list-pods-all</c>.</param>
/// <param name="Method">The request method.</param>
/// <param name="Target">The raw request target (path and query exactly as sent).</param>
/// <param name="Headers">The request headers in recorded order.</param>
/// <param name="Body">The body bytes; empty when none was sent.</param>
internal sealed record FixtureRequest(string Name, string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    /// <summary>The value of the first header with this name (case-insensitive), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Reads <c>NAME.request.txt</c> from the shared fixtures.</summary>
    public static FixtureRequest Load(string name)
    {
        var bytes = File.ReadAllBytes(Path.Join(TestPaths.FixturesDirectory, name + ".request.txt"));
        var end = bytes.AsSpan().IndexOf("\n\n"u8);
        var headEnd = end < 0 ? bytes.Length : end;
        var head = Encoding.Latin1.GetString(bytes, 0, headEnd).Split('\n');
        var requestLine = head[0].Split(' ');
        if (requestLine.Length != 3)
        {
            throw new InvalidDataException($"{name}.request.txt: unexpected request line '{head[0]}'.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in head.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
        }

        var body = end < 0 ? [] : bytes[(end + 2)..];
        return new FixtureRequest(name, requestLine[0], requestLine[1], headers, body);
    }
}
