namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// What a matrix request got: the status, the part of the answer that must be the same through the
/// proxy and directly (<see cref="Summary"/>: an error's whole body, a list's item names, ...), and
/// the body as read (for the leak checks).
/// </summary>
internal sealed record MatrixAnswer(int Status, string Summary, byte[] Body)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Status} {Summary}";
}
