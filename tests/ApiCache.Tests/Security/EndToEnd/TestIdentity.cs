using System.Security.Cryptography.X509Certificates;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// One caller of the end-to-end security tests: a bearer token, a client certificate, or neither
/// (anonymous). The same identity is presented to the proxy and straight to the dev API server.
/// </summary>
/// <param name="Name">A short label for messages, e.g. <c>alice-cert</c>.</param>
/// <param name="Token">The bearer token, or null.</param>
/// <param name="Certificate">The client certificate with its key, or null.</param>
internal sealed record TestIdentity(string Name, string? Token, X509Certificate2? Certificate)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}
