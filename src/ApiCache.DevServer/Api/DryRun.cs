using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary><c>dryRun=All</c>: validate and answer as if written, but write nothing.</summary>
internal static class DryRun
{
    /// <summary>True when the request asks for a server-side dry run.</summary>
    public static bool Requested(HttpRequest request) => request.Query["dryRun"].Contains("All");
}
