namespace ApiCache.Tests.Security.Authentication;

/// <summary>A request <see cref="TokenReviewingUpstream"/> received.</summary>
internal sealed record SeenRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, string? ClientCertificateName, string Protocol, string Body)
{
    /// <summary>Every value of every line of header <paramref name="name"/>, in order.</summary>
    public string[] Values(string name) => [.. Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    /// <summary>The names of the headers that start with <paramref name="prefix"/>.</summary>
    public string[] NamesStartingWith(string prefix) =>
        [.. Headers.Select(h => h.Key).Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase)];
}
