using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;

namespace ApiCache.LoadTests;

/// <summary>An upstream on 127.0.0.1 answering every request with the same JSON body.</summary>
internal static class StaticUpstream
{
    public static Task<LoopbackServer> StartAsync(byte[] body) => LoopbackServer.StartAsync(app => app.Run(context =>
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers["Audit-Id"] = "00000000-0000-0000-0000-000000000000";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }));
}
