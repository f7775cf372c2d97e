using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// Picks the representation of a discovery document from the Accept header as the apiserver
/// does: clauses by quality (highest first, then exact types before wildcards, then header
/// order); the first clause the server can answer wins.
/// <c>application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList</c> (or v2beta1)
/// selects the aggregated document; plain JSON or a wildcard the legacy one. Clauses for other
/// representations (protobuf, yaml, Table) are skipped; when nothing matches, the legacy JSON
/// is served rather than a 406 (the dev server has no other encoding to offer). The parser is
/// lenient like Go's: media types such as <c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>
/// are not RFC tokens but are what client-go sends.
/// </summary>
internal static class DiscoveryNegotiation
{
    /// <summary>The media type of the aggregated document of <paramref name="format"/>, exactly as the apiserver sends it.</summary>
    public static string ContentType(DiscoveryFormat format) => format switch
    {
        DiscoveryFormat.AggregatedV2 => "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        DiscoveryFormat.AggregatedV2Beta1 => "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
        _ => "application/json",
    };

    /// <summary>The apiVersion of the aggregated document of <paramref name="format"/>.</summary>
    public static string ApiVersion(DiscoveryFormat format) =>
        format == DiscoveryFormat.AggregatedV2Beta1 ? "apidiscovery.k8s.io/v2beta1" : "apidiscovery.k8s.io/v2";

    /// <summary>The format to answer a request with this Accept header.</summary>
    public static DiscoveryFormat Negotiate(StringValues accept)
    {
        foreach (var clause in Clauses(accept))
        {
            if (Match(clause) is DiscoveryFormat format)
            {
                return format;
            }
        }

        return DiscoveryFormat.Legacy;
    }

    /// <summary>
    /// Whether <c>/openapi/v2</c> should be answered in protobuf: the first clause that names
    /// either representation names the protobuf one (client-go sends only that one).
    /// </summary>
    public static bool PrefersOpenApiV2Protobuf(StringValues accept)
    {
        foreach (var clause in Clauses(accept))
        {
            if (clause.MediaType.Equals(OpenApiV2Writer.ProtobufAccept, StringComparison.OrdinalIgnoreCase)
                || clause.MediaType.Equals(OpenApiV2Writer.ProtobufContentType, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (Match(clause) == DiscoveryFormat.Legacy)
            {
                return false;
            }
        }

        return false;
    }

    private static DiscoveryFormat? Match(Clause clause)
    {
        var json = clause.MediaType is "*/*" or "application/*"
            || clause.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
        if (!json)
        {
            return null;
        }

        var @as = clause.Parameter("as");
        if (@as is null)
        {
            return DiscoveryFormat.Legacy;
        }

        if (@as != "APIGroupDiscoveryList" || clause.Parameter("g") != "apidiscovery.k8s.io")
        {
            return null;
        }

        return clause.Parameter("v") switch
        {
            "v2" => DiscoveryFormat.AggregatedV2,
            "v2beta1" => DiscoveryFormat.AggregatedV2Beta1,
            _ => null,
        };
    }

    /// <summary>The acceptable clauses (q &gt; 0) in preference order; none for a missing header.</summary>
    private static IEnumerable<Clause> Clauses(StringValues accept)
    {
        var clauses = new List<Clause>();
        foreach (var header in accept)
        {
            foreach (var text in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = text.Split(';', StringSplitOptions.TrimEntries);
                var parameters = new List<KeyValuePair<string, string>>();
                var quality = 1.0;
                foreach (var parameter in parts.Skip(1))
                {
                    var equals = parameter.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        continue;
                    }

                    var name = parameter[..equals].Trim();
                    var value = parameter[(equals + 1)..].Trim().Trim('"');
                    if (name.Equals("q", StringComparison.OrdinalIgnoreCase))
                    {
                        quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? q : 0;
                    }
                    else
                    {
                        parameters.Add(new(name, value));
                    }
                }

                if (quality > 0 && parts[0].Length > 0)
                {
                    clauses.Add(new Clause(parts[0], parameters, quality, clauses.Count));
                }
            }
        }

        return clauses
            .OrderByDescending(c => c.Quality)
            .ThenBy(c => c.MediaType == "*/*" ? 2 : c.MediaType.EndsWith("/*", StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(c => c.Index);
    }

    /// <summary>One Accept clause: media type, parameters besides q, quality, position in the header.</summary>
    private sealed record Clause(string MediaType, IReadOnlyList<KeyValuePair<string, string>> Parameters, double Quality, int Index)
    {
        public string? Parameter(string name) =>
            Parameters.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    }
}
