using System.Text;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// One request of the differential run, sent byte for byte the same to the proxy and to the upstream:
/// a GET of <paramref name="Target"/> (path and query) with exactly <paramref name="Headers"/> (no
/// other header is added but Host). <paramref name="Label"/> says which matrix cell it comes from.
/// </summary>
/// <param name="Label">The case, e.g. <c>pods ns=team-a label=in field=none rv=unset limit=3 accept=json</c>.</param>
/// <param name="Target">Path and query, e.g. <c>/api/v1/namespaces/team-a/pods?limit=3</c>.</param>
/// <param name="Headers">The request headers, in the order sent.</param>
internal sealed record DifferentialRequest(string Label, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>
    /// True when the client asks for something the cache must not answer with plain JSON: a rendering
    /// (<c>as=Table</c>, <c>as=PartialObjectMetadata</c>) or protobuf only.
    /// </summary>
    public bool AsksForAnotherRendering => Headers.Any(static h =>
        h.Key == "Accept" && (h.Value.Contains("as=", StringComparison.Ordinal) || h.Value == "application/vnd.kubernetes.protobuf"));

    /// <summary>The target with <c>continue=<paramref name="token"/></c> appended.</summary>
    public string TargetWithContinue(string token) =>
        Target + (Target.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "continue=" + Uri.EscapeDataString(token);

    /// <summary>The request as it goes on the wire (request line and headers), for failure messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder().Append("  [").Append(Label).Append("]\n  GET ").Append(Target).Append(" HTTP/1.1\n");
        foreach (var (name, value) in Headers)
        {
            text.Append("  ").Append(name).Append(": ").Append(value).Append('\n');
        }

        return text.ToString();
    }
}
