using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ApiCache.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ApiCache.Tests.Informers;

/// <summary>
/// A tiny fake apiserver on loopback for one collection: the test scripts what the n-th LIST and
/// the n-th WATCH get (0-based), and every request is recorded.
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private readonly ConcurrentQueue<RecordedRequest> _requests;

    private ScriptedUpstream(LoopbackServer server, ConcurrentQueue<RecordedRequest> requests)
    {
        _server = server;
        _requests = requests;
    }

    public Uri Address => _server.Address;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<RecordedRequest> Lists => [.. _requests.Where(r => !IsWatch(r.Target))];

    public IReadOnlyList<RecordedRequest> Watches => [.. _requests.Where(r => IsWatch(r.Target))];

    public static async Task<ScriptedUpstream> StartAsync(Func<HttpContext, int, Task> onList, Func<HttpContext, int, Task> onWatch)
    {
        var requests = new ConcurrentQueue<RecordedRequest>();
        var lists = -1;
        var watches = -1;
        var server = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            requests.Enqueue(new RecordedRequest(context.Request.Method, target, headers));
            if (IsWatch(target))
            {
                await onWatch(context, Interlocked.Increment(ref watches));
            }
            else
            {
                await onList(context, Interlocked.Increment(ref lists));
            }
        }));
        return new ScriptedUpstream(server, requests);
    }

    /// <summary>A namespaced test object in list-item form.</summary>
    public static string Item(string name, long resourceVersion) =>
        string.Create(CultureInfo.InvariantCulture, $$$"""{"metadata":{"name":"{{{name}}}","namespace":"ns","uid":"uid-{{{name}}}","resourceVersion":"{{{resourceVersion}}}"},"data":{"k":"v"}}""");

    /// <summary>A ConfigMapList body.</summary>
    public static string ListBody(long resourceVersion, string? continueToken, params string[] items)
    {
        var continuation = continueToken is null ? "" : ",\"continue\":\"" + continueToken + "\"";
        return "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\""
            + resourceVersion.ToString(CultureInfo.InvariantCulture) + "\"" + continuation + "},\"items\":[" + string.Join(",", items) + "]}\n";
    }

    /// <summary>One watch line.</summary>
    public static string Event(string type, string objectJson) => "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}\n";

    /// <summary>A Status body as the apiserver writes it.</summary>
    public static string Status(int code, string reason, string message, int? retryAfterSeconds = null) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}",{{(retryAfterSeconds is int s ? "\"details\":{\"retryAfterSeconds\":" + s + "}," : "")}}"code":{{code}}}""");

    public static async Task WriteAsync(HttpContext context, int statusCode, string body, string? retryAfter = null)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(body, Encoding.UTF8);
    }

    /// <summary>Starts a watch answer and writes <paramref name="lines"/>, flushed.</summary>
    public static async Task StartWatchAsync(HttpContext context, params string[] lines)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync();
        foreach (var line in lines)
        {
            await context.Response.WriteAsync(line, Encoding.UTF8);
        }

        await context.Response.Body.FlushAsync();
    }

    /// <summary>Keeps the answer open until the client goes away.</summary>
    public static async Task HoldAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static bool IsWatch(string target) => target.Contains("watch=true", StringComparison.Ordinal);
}
