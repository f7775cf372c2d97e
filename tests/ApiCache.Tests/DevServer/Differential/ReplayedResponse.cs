namespace ApiCache.Tests.DevServer.Differential;

/// <summary>What the dev server answered to a replayed fixture request.</summary>
/// <param name="StatusCode">The HTTP status code.</param>
/// <param name="ContentType">The Content-Type header, or null.</param>
/// <param name="Body">The body bytes.</param>
internal sealed record ReplayedResponse(int StatusCode, string? ContentType, byte[] Body);
