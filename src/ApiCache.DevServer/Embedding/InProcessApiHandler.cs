using ApiCache.DevServer.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// Serves <see cref="HttpRequestMessage"/>s by calling the dev server's API (<see cref="ResourceApi"/>)
/// directly: the request becomes an <see cref="HttpContext"/> (method, path, query, headers, body),
/// the response streams back through a pipe as the handler flushes it, so the embedded cache's
/// informers list and watch with no network and without passing through the host's middleware (the
/// cache's own serving included, which would otherwise answer its own informers). Cancelling a
/// request, or disposing its response body, fires the handler's <c>RequestAborted</c>.
/// </summary>
internal sealed class InProcessApiHandler : HttpMessageHandler
{
    private readonly RequestDelegate _application;
    private readonly IServiceScopeFactory? _scopes;

    /// <summary>Serves requests with the dev server's <paramref name="api"/>.</summary>
    public InProcessApiHandler(ResourceApi api, IServiceProvider services)
        : this(api is null ? throw new ArgumentNullException(nameof(api)) : api.HandleAsync, services)
    {
    }

    /// <summary>Serves requests with <paramref name="application"/>; request services are scoped from <paramref name="services"/>.</summary>
    public InProcessApiHandler(RequestDelegate application, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(services);
        _application = application;
        _scopes = services.GetService<IServiceScopeFactory>();
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute
            ? absolute
            : throw new InvalidOperationException("An in-process request needs an absolute URI.");

        IHeaderDictionary headers = new HeaderDictionary();
        foreach (var header in request.Headers.NonValidated)
        {
            headers[header.Key] = header.Value.ToString();
        }

        var body = Stream.Null;
        if (request.Content is { } content)
        {
            foreach (var header in content.Headers.NonValidated)
            {
                headers[header.Key] = header.Value.ToString();
            }

            headers.ContentLength = content.Headers.ContentLength;
            body = await content.ReadAsStreamAsync(cancellationToken);
        }

        if (!headers.ContainsKey("Host"))
        {
            headers.Host = uri.Authority;
        }

        var exchange = new InProcessExchange(request);
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = HttpProtocol.GetHttpProtocol(request.Version),
            Scheme = uri.Scheme,
            Method = request.Method.Method,
            PathBase = "",
            Path = PathString.FromUriComponent(uri).Value ?? "/",
            QueryString = QueryString.FromUriComponent(uri).Value ?? "",
            RawTarget = uri.PathAndQuery,
            Headers = headers,
            Body = body,
        });
        features.Set<IHttpResponseFeature>(exchange);
        features.Set<IHttpResponseBodyFeature>(exchange);
        features.Set<IHttpRequestLifetimeFeature>(exchange);
        var context = new DefaultHttpContext(features);
        RequestServicesFeature? requestServices = null;
        if (_scopes is not null)
        {
            requestServices = new RequestServicesFeature(context, _scopes);
            features.Set<IServiceProvidersFeature>(requestServices);
        }

        // From here the request's cancellation aborts the handler, until it returns.
        var cancellation = cancellationToken.UnsafeRegister(static state => ((InProcessExchange)state!).Abort(), exchange);
        _ = Task.Run(() => exchange.RunAsync(_application, context, cancellation, requestServices), CancellationToken.None);
        return await exchange.Response;
    }
}
