using System.Globalization;
using System.Text;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// One cell of the differential matrix: a LIST or GET of a path with selectors, a resourceVersion
/// mode, a limit and a way of asking (headers, <c>pretty</c>). The resourceVersion is symbolic until
/// <see cref="Build"/>: the current and earlier revisions are only known while the run goes on.
/// </summary>
internal sealed record DifferentialCase
{
    /// <summary>A client-go style User-Agent (the apiserver indents for curl, Wget and browsers only).</summary>
    public const string ClientUserAgent = "differential-client/v1.0.0 (linux/amd64) kubernetes/test";

    /// <summary>kubectl 1.33's Accept for <c>get</c> (fixtures' kubectl traces).</summary>
    public const string KubectlAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    /// <summary>How far in the future a <see cref="RvMode.Future"/> revision is.</summary>
    private const long FutureDistance = 1_000_000;

    /// <summary>What the case is, for failure messages.</summary>
    public required string Label { get; init; }

    /// <summary>The resource (for the coverage summary).</summary>
    public required DifferentialResource Resource { get; init; }

    /// <summary>True for a LIST (followed through its pages), false for a GET.</summary>
    public required bool IsList { get; init; }

    /// <summary>The path, without query.</summary>
    public required string Path { get; init; }

    /// <summary>labelSelector, "" for none.</summary>
    public string LabelSelector { get; init; } = "";

    /// <summary>fieldSelector, "" for none.</summary>
    public string FieldSelector { get; init; } = "";

    /// <summary>The resourceVersion mode.</summary>
    public RvMode Rv { get; init; }

    /// <summary>Whether the resourceVersion goes with a <c>resourceVersionMatch=NotOlderThan</c> (modes that allow either form).</summary>
    public bool NotOlderThanMatch { get; init; }

    /// <summary>The limit parameter; null for none.</summary>
    public long? Limit { get; init; }

    /// <summary>How the client asks.</summary>
    public HeaderVariant Headers { get; init; }

    /// <summary>Adds <c>pretty=true</c>.</summary>
    public bool Pretty { get; init; }

    /// <summary>True when the case asks for pages (a positive limit, not overridden by rv=0).</summary>
    public bool Paginates => IsList && Limit is > 0 && Rv != RvMode.Zero;

    /// <summary>The request, with <paramref name="current"/> as the upstream's revision and <paramref name="earlier"/> as an older one.</summary>
    public DifferentialRequest Build(long current, long earlier)
    {
        var query = new List<string>();
        if (LabelSelector.Length > 0)
        {
            query.Add("labelSelector=" + Uri.EscapeDataString(LabelSelector));
        }

        if (FieldSelector.Length > 0)
        {
            query.Add("fieldSelector=" + Uri.EscapeDataString(FieldSelector));
        }

        var match = NotOlderThanMatch ? "NotOlderThan" : null;
        var (rv, rvMatch) = Rv switch
        {
            RvMode.Unset => (null, null),
            RvMode.Zero => ("0", match),
            RvMode.CurrentNotOlderThan => (Number(current), match),
            RvMode.OldExact => (Number(earlier), IsList ? "Exact" : null),
            RvMode.LegacyExactWithLimit => (Number(earlier), null),
            RvMode.Future => (Number(current + FutureDistance), match),
            RvMode.Garbage => ("abc", null),
            _ => throw new ArgumentOutOfRangeException(nameof(current), Rv, "unknown mode"),
        };
        if (rv is not null)
        {
            query.Add("resourceVersion=" + rv);
        }

        if (rvMatch is not null)
        {
            query.Add("resourceVersionMatch=" + rvMatch);
        }

        if (Limit is long limit)
        {
            query.Add("limit=" + Number(limit));
        }

        if (Pretty)
        {
            query.Add("pretty=true");
        }

        var target = new StringBuilder(Path);
        if (query.Count > 0)
        {
            target.Append('?').AppendJoin('&', query);
        }

        return new DifferentialRequest(Label, target.ToString(), HeadersFor(Headers));
    }

    /// <summary>The headers a client of that kind sends.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> HeadersFor(HeaderVariant variant) => variant switch
    {
        HeaderVariant.Json => [new("Accept", "application/json"), new("User-Agent", ClientUserAgent)],
        HeaderVariant.NoAccept => [new("User-Agent", ClientUserAgent)],
        HeaderVariant.Kubelet => [new("Accept", "application/vnd.kubernetes.protobuf,application/json"), new("User-Agent", "kubelet/v1.34.1 (linux/amd64) kubernetes/abcdef0")],
        HeaderVariant.JsonAndAny => [new("Accept", "application/json, */*"), new("User-Agent", ClientUserAgent)],
        HeaderVariant.KubectlTable => [new("Accept", KubectlAccept), new("User-Agent", "kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0"), new("Accept-Encoding", "gzip")],
        HeaderVariant.TableOnly => [new("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"), new("User-Agent", ClientUserAgent)],
        HeaderVariant.ProtobufOnly => [new("Accept", "application/vnd.kubernetes.protobuf"), new("User-Agent", ClientUserAgent)],
        HeaderVariant.Curl => [new("Accept", "*/*"), new("User-Agent", "curl/8.5.0")],
        HeaderVariant.Gzip => [new("Accept", "application/json"), new("User-Agent", ClientUserAgent), new("Accept-Encoding", "gzip")],
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "unknown variant"),
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
