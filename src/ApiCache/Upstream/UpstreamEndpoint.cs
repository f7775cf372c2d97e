namespace ApiCache.Upstream;

/// <summary>
/// One apiserver ApiCache talks to: where it is, what identity ApiCache presents to it, and the
/// HTTP stack (connection pool) used for it. Immutable; disposed with the host.
/// </summary>
internal sealed class UpstreamEndpoint : IDisposable
{
    /// <summary>Creates an endpoint; <paramref name="name"/> defaults to the base URL.</summary>
    public UpstreamEndpoint(UpstreamServerSettings settings, HttpMessageInvoker invoker, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        Invoker = invoker;
        var url = settings.Url.GetLeftPart(UriPartial.Path).TrimEnd('/');
        DestinationPrefix = url;
        Name = name ?? url;
        HasOwnCredentials = settings.BearerToken is not null || settings.BearerTokenFile is not null
            || settings.ClientCertificatePem is not null;
    }

    /// <summary>The resolved settings this endpoint was built from.</summary>
    public UpstreamServerSettings Settings { get; }

    /// <summary>The HTTP stack to send requests with.</summary>
    public HttpMessageInvoker Invoker { get; }

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
    public void Dispose() => Invoker.Dispose();
}
