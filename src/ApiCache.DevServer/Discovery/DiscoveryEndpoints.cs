using System.Globalization;
using System.Net.Sockets;
using ApiCache.DevServer.Resources;
using ApiCache.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// The dev server's discovery surface: <c>/version</c>, <c>/api</c>, <c>/api/v1</c>, <c>/apis</c>,
/// <c>/apis/{group}</c>, <c>/apis/{group}/{version}</c> (legacy JSON, or aggregated discovery when
/// the Accept header asks for it, as kubectl 1.26+ does) and <c>/openapi/v3</c> with one document
/// per group/version (what kubectl create/apply read to learn that the server validates fields).
/// <c>/openapi/v2</c> is an empty Swagger document (kubectl 1.27 insists on loading it).
/// Every body is prebuilt by <see cref="DiscoveryDocuments"/> and written through
/// <see cref="WriteBodyAsync"/>. Health probes and resource paths are mapped elsewhere.
/// </summary>
internal static class DiscoveryEndpoints
{
    private const string NoCache = "no-cache, private";

    private static readonly StatusError NotFound = new(StatusCodes.Status404NotFound, "NotFound", "the server could not find the requested resource")
    {
        EmptyDetails = true,
    };

    /// <summary>Maps the discovery routes for the resources of <paramref name="catalog"/>.</summary>
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app, ResourceCatalog catalog) =>
        app.MapDiscovery(new DiscoveryDocuments(catalog));

    /// <summary>Maps the discovery routes answering from <paramref name="documents"/>.</summary>
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder app, DiscoveryDocuments documents)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(documents);

        app.MapGet("/version", (HttpContext context) => WriteBodyAsync(context, documents.Version, NoCache));
        app.MapGet("/api", (HttpContext context) => DiscoveryRootAsync(context, documents, core: true));
        app.MapGet("/apis", (HttpContext context) => DiscoveryRootAsync(context, documents, core: false));
        app.MapGet("/api/v1", (HttpContext context) => WriteOrNotFoundAsync(context, documents.ResourceList("", "v1"), NoCache));
        app.MapGet("/apis/{group}", (HttpContext context, string group) =>
            WriteOrNotFoundAsync(context, documents.Group(group), NoCache));
        app.MapGet("/apis/{group}/{version}", (HttpContext context, string group, string version) =>
            WriteOrNotFoundAsync(context, documents.ResourceList(group, version), NoCache));
        app.MapGet("/openapi/v2", (HttpContext context) => OpenApiV2Async(context, documents));
        app.MapGet("/openapi/v3", (HttpContext context) => OpenApiIndexAsync(context, documents));
        app.MapGet("/openapi/v3/{**path}", (HttpContext context, string? path) => OpenApiDocumentAsync(context, documents, path ?? ""));
        return app;
    }

    /// <summary>
    /// Writes a prebuilt body with its Content-Type, Content-Length, <paramref name="cacheControl"/>
    /// and ETag. Every 200 answer of the discovery surface goes through here (the place to add
    /// pretty-printing for curl-like clients).
    /// </summary>
    internal static Task WriteBodyAsync(HttpContext context, DiscoveryBody body, string cacheControl)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.Headers.CacheControl = cacheControl;
        response.ContentType = body.ContentType;
        if (body.ETag is not null)
        {
            response.Headers.ETag = Quote(body.ETag);
        }

        response.ContentLength = body.Content.Length;
        return response.Body.WriteAsync(body.Content, context.RequestAborted).AsTask();
    }

    /// <summary><c>/api</c> or <c>/apis</c>: aggregated discovery when asked for, else the legacy document.</summary>
    private static Task DiscoveryRootAsync(HttpContext context, DiscoveryDocuments documents, bool core)
    {
        var format = DiscoveryNegotiation.Negotiate(context.Request.Headers.Accept);
        if (format == DiscoveryFormat.Legacy)
        {
            var legacy = core ? documents.ApiVersions(ServerAddress(context)) : documents.GroupList;
            return WriteBodyAsync(context, legacy, NoCache);
        }

        // The apiserver marks aggregated discovery as publicly cacheable and varying by Accept
        // (v2 and v2beta1 share the URL), and revalidates it by ETag.
        var body = documents.Aggregated(core, format);
        context.Response.Headers.Vary = "Accept";
        return IsNotModified(context.Request, body.ETag, lastModified: null)
            ? NotModifiedAsync(context, body, "public")
            : WriteBodyAsync(context, body, "public");
    }

    /// <summary><c>/openapi/v2</c> in protobuf when the client asks for it (client-go does), else JSON; revalidated by ETag or Last-Modified.</summary>
    private static Task OpenApiV2Async(HttpContext context, DiscoveryDocuments documents)
    {
        var body = DiscoveryNegotiation.PrefersOpenApiV2Protobuf(context.Request.Headers.Accept) ? documents.OpenApiV2Protobuf : documents.OpenApiV2Json;
        context.Response.Headers.Vary = "Accept";
        context.Response.GetTypedHeaders().LastModified = documents.LastModified;
        return IsNotModified(context.Request, body.ETag, documents.LastModified)
            ? NotModifiedAsync(context, body, NoCache)
            : WriteBodyAsync(context, body, NoCache);
    }

    /// <summary>The index, revalidated by Last-Modified as the apiserver's file server does.</summary>
    private static Task OpenApiIndexAsync(HttpContext context, DiscoveryDocuments documents)
    {
        context.Response.GetTypedHeaders().LastModified = documents.LastModified;
        return IsNotModified(context.Request, etag: null, documents.LastModified)
            ? NotModifiedAsync(context, documents.OpenApiV3Index, NoCache)
            : WriteBodyAsync(context, documents.OpenApiV3Index, NoCache);
    }

    /// <summary>
    /// One group/version document. With the current <c>?hash=</c> it is immutable and publicly
    /// cacheable (kubectl keeps it in its disk cache by URL); a stale hash is redirected to the
    /// current URL so that no cache keeps an outdated document under it.
    /// </summary>
    private static Task OpenApiDocumentAsync(HttpContext context, DiscoveryDocuments documents, string path)
    {
        var body = documents.OpenApiV3(path.TrimEnd('/'));
        if (body is null)
        {
            return WriteOrNotFoundAsync(context, null, NoCache);
        }

        var response = context.Response;
        var cacheControl = NoCache;
        if (context.Request.Query.TryGetValue("hash", out var hash))
        {
            if (!string.Equals(hash.ToString(), body.ETag, StringComparison.Ordinal))
            {
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = $"/openapi/v3/{path.TrimEnd('/')}?hash={body.ETag}";
                return Task.CompletedTask;
            }

            cacheControl = "public, immutable";
            response.Headers.Expires = DateTimeOffset.UtcNow.AddYears(1).ToString("r", CultureInfo.InvariantCulture);
            response.Headers.Vary = "Accept";
        }

        response.GetTypedHeaders().LastModified = documents.LastModified;
        return IsNotModified(context.Request, body.ETag, documents.LastModified)
            ? NotModifiedAsync(context, body, cacheControl)
            : WriteBodyAsync(context, body, cacheControl);
    }

    private static Task WriteOrNotFoundAsync(HttpContext context, DiscoveryBody? body, string cacheControl) =>
        body is null
            ? StatusWriter.WriteAsync(context.Response, NotFound, context.RequestAborted)
            : WriteBodyAsync(context, body, cacheControl);

    private static Task NotModifiedAsync(HttpContext context, DiscoveryBody body, string cacheControl)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status304NotModified;
        response.Headers.CacheControl = cacheControl;
        if (body.ETag is not null)
        {
            response.Headers.ETag = Quote(body.ETag);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// RFC 9110 conditional GET: If-None-Match (when sent) decides alone; otherwise
    /// If-Modified-Since against <paramref name="lastModified"/>.
    /// </summary>
    private static bool IsNotModified(HttpRequest request, string? etag, DateTimeOffset? lastModified)
    {
        var headers = request.GetTypedHeaders();
        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch is { Count: > 0 })
        {
            if (etag is null)
            {
                return false;
            }

            var current = new EntityTagHeaderValue(Quote(etag));
            return ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
        }

        return lastModified is not null && headers.IfModifiedSince is { } since && since >= lastModified.Value;
    }

    /// <summary>host:port of the local end of the connection, as the apiserver names its own address; the Host header when unknown.</summary>
    private static string ServerAddress(HttpContext context)
    {
        var local = context.Connection.LocalIpAddress;
        if (local is null)
        {
            return context.Request.Host.Value ?? "";
        }

        if (local.IsIPv4MappedToIPv6)
        {
            local = local.MapToIPv4();
        }

        var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
        return $"{host}:{context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string Quote(string etag) => "\"" + etag + "\"";
}
