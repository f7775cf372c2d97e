namespace ApiCache.Upstream;

/// <summary>
/// One apiserver ApiCache talks to: where it is, what identity ApiCache presents to it, and the
/// HTTP stack (connection pool) used for it; in front-proxy identity forwarding, a second stack that
/// presents the front-proxy client certificate instead, for forwarded requests. Immutable; disposed
/// with the host.
/// </summary>
internal sealed class UpstreamEndpoint : IDisposable
{
    /// <summary>
    /// Creates an endpoint; <paramref name="name"/> defaults to the base URL. With
    /// <paramref name="frontProxyInvoker"/>, forwarded requests go over it (<see cref="ForwardingInvoker"/>).
    /// </summary>
    public UpstreamEndpoint(UpstreamServerSettings settings, HttpMessageInvoker invoker, string? name = null, HttpMessageInvoker? frontProxyInvoker = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Invoker = invoker;
        FrontProxyInvoker = frontProxyInvoker;
        var url = settings.Url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        DestinationPrefix = url;
        Name = name ?? url;
        HasOwnCredentials = settings.BearerToken is not null || settings.BearerTokenFile is not null
            || settings.ClientCertificatePem is not null;
    }

    /// <summary>The resolved settings this endpoint was built from.</summary>
    public UpstreamServerSettings Settings { get; }

    /// <summary>The HTTP stack of ApiCache's own requests (informers, reviews, probes), with ApiCache's credentials.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>
    /// The HTTP stack that presents the front-proxy client certificate (the endpoint's TLS trust, no
    /// bearer token), when callers' identities are forwarded as <c>X-Remote-*</c> headers; else null.
    /// </summary>
    public HttpMessageInvoker? FrontProxyInvoker { get; }

    /// <summary>The HTTP stack forwarded requests go over: <see cref="FrontProxyInvoker"/> when there is one, else <see cref="Invoker"/>.</summary>
    public HttpMessageInvoker ForwardingInvoker => FrontProxyInvoker ?? Invoker;

    /// <summary>The base URL requests' paths are appended to (no trailing slash).</summary>
    public string DestinationPrefix { get; }

    /// <summary>A name for logs and metrics: the base URL (or <c>in-process</c> for an embedding host).</summary>
    public string Name { get; }

    /// <summary>
    /// ApiCache presents its own identity (token or client certificate) to this endpoint, so a
    /// caller's <c>Authorization</c> header is not passed on.
    /// </summary>
    public bool HasOwnCredentials { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Invoker.Dispose();
        FrontProxyInvoker?.Dispose();
    }
}
