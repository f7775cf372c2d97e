namespace ApiCache.Configuration;

/// <summary>
/// How a throttling rule matches a request's User-Agent. Every form is matched against the
/// User-Agent's product token: <c>kubelet</c> for <c>kubelet/v1.33.1 (linux/amd64) kubernetes/abc</c>
/// (a Windows client's trailing <c>.exe</c> is dropped). Exactly one property must be set.
/// </summary>
public sealed class UserAgentMatchOptions
{
    /// <summary>The product exactly (ignoring case), e.g. <c>kubectl</c>.</summary>
    public string? Product { get; set; }

    /// <summary>A prefix of the product (ignoring case), e.g. <c>kube-</c>.</summary>
    public string? ProductPrefix { get; set; }

    /// <summary>
    /// A .NET regular expression searched for in the product (anchor it with <c>^...$</c> to match
    /// the whole product); evaluated with a short timeout, a timeout counting as no match.
    /// </summary>
    public string? Regex { get; set; }
}
