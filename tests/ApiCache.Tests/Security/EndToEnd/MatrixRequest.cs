namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>One column of the authorization matrix: a request sent as every identity, through the proxy and directly.</summary>
/// <param name="Name">A short label for messages.</param>
/// <param name="Path">Path and query; for <see cref="MatrixKind.Create"/> the collection posted to.</param>
/// <param name="Kind">What of the answer is compared.</param>
internal sealed record MatrixRequest(string Name, string Path, MatrixKind Kind)
{
    /// <inheritdoc/>
    public override string ToString() => Name;
}
