using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace ApiCache.Forwarding;

/// <summary>
/// Sends a header several times, one line per value, which <see cref="HttpClient"/> cannot do: it
/// joins a header's values into one comma-separated line (HTTP/1.1) or field (HTTP/2), while the
/// apiserver reads every <c>Impersonate-Group</c> / <c>X-Remote-Group</c> line as one whole group,
/// commas included. The second and later values go under marker names
/// (<c>X-Apicache-Repeat-&lt;process nonce&gt;-&lt;n&gt;-&lt;name&gt;</c>), which
/// <see cref="RepeatedHeaderStream"/> turns back into <c>&lt;name&gt;</c> as the HTTP/1.1 request
/// head is written; a request with repeated headers is therefore sent over HTTP/1.1. Should a
/// marker ever reach the upstream unchanged (HTTP/2), it is an unknown header the upstream ignores:
/// the caller has fewer groups, never more.
/// </summary>
internal static class RepeatedHeaders
{
    /// <summary>What every marker name starts with (random per process, so no client or body can guess it).</summary>
    public static readonly string MarkerPrefix = "X-Apicache-Repeat-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) + "-";

    /// <summary>The bytes <see cref="RepeatedHeaderStream"/> looks for: a line start, then the marker prefix.</summary>
    internal static readonly byte[] LineMarker = Encoding.ASCII.GetBytes("\r\n" + MarkerPrefix);

    /// <summary>
    /// Adds <paramref name="name"/> once per value of <paramref name="values"/>; true when more
    /// than one line is needed (then the request must go over HTTP/1.1).
    /// </summary>
    public static bool Add(HttpRequestHeaders headers, string name, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Count; i++)
        {
            headers.TryAddWithoutValidation(i == 0 ? name : MarkerPrefix + i.ToString(CultureInfo.InvariantCulture) + "-" + name, values[i]);
        }

        return values.Count > 1;
    }
}
