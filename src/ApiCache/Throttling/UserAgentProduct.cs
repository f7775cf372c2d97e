namespace ApiCache.Throttling;

/// <summary>
/// The product token of a User-Agent, the part rules match and metrics report: client-go formats
/// User-Agents as <c>command/version (os/arch) kubernetes/commit</c>, so the token is everything
/// before the first <c>/</c>, space or <c>(</c>: <c>kubelet</c> for
/// <c>kubelet/v1.33.1 (linux/amd64) kubernetes/abc</c>, <c>Mozilla</c> for a browser. Windows
/// binaries name themselves <c>kubectl.exe</c>; the <c>.exe</c> is dropped so one rule covers both.
/// An empty or missing User-Agent has the empty product.
/// </summary>
internal static class UserAgentProduct
{
    /// <summary>Longer products are cut to this many characters (a bound on label values and on matching work).</summary>
    public const int MaxLength = 128;

    /// <summary>The <c>user_agent</c> label value and <c>/top</c> name of the empty product.</summary>
    public const string UnknownLabel = "unknown";

    private static readonly System.Buffers.SearchValues<char> TokenEnd = System.Buffers.SearchValues.Create("/ (\t");

    /// <summary>The product token of <paramref name="userAgent"/>.</summary>
    public static string Parse(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return "";
        }

        var span = userAgent.AsSpan().TrimStart();
        var end = span.IndexOfAny(TokenEnd);
        var token = end < 0 ? span : span[..end];
        if (token.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
        {
            token = token[..^4];
        }

        if (token.Length > MaxLength)
        {
            token = token[..MaxLength];
        }

        // The whole header is the token in the common case of a bare product ("curl"): no copy.
        return token.Length == userAgent.Length ? userAgent : token.ToString();
    }

    /// <summary>How <paramref name="product"/> is shown in metrics and in <c>/apicache/v1/top</c>.</summary>
    public static string Display(string product) => product.Length == 0 ? UnknownLabel : product;
}
