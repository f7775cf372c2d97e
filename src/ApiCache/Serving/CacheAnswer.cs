using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>Headers every answer written by the cache carries, as the apiserver's do.</summary>
internal static class CacheAnswer
{
    /// <summary>
    /// Gives the response an <c>Audit-Id</c> unless it has one (a host such as the dev server may
    /// have set it at the start of the request; forwarded responses keep the upstream's).
    /// </summary>
    public static void SetAuditId(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.Headers.ContainsKey("Audit-Id"))
        {
            response.Headers["Audit-Id"] = Guid.NewGuid().ToString();
        }
    }

    /// <summary>Answers with a Status error.</summary>
    public static Task WriteErrorAsync(HttpContext context, StatusError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        SetAuditId(context.Response);
        return StatusWriter.WriteAsync(context.Response, error, context.RequestAborted);
    }
}
