using ApiCache.Configuration;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Security;

/// <summary>
/// Authenticates every request ApiCache handles, before anything else looks at it (go-away,
/// throttling, cached reads, forwarding, admin and metrics endpoints), as kube-apiserver does: a
/// client certificate that verifies against the client CAs; else a bearer token, checked with a
/// TokenReview (an invalid or unverifiable token is 401 even when anonymous requests are allowed);
/// else, when the certificate did not verify, 401; else the anonymous user when
/// <see cref="CallerAuthenticationOptions.Anonymous"/> is on, else 401. The 401 is the apiserver's
/// (fixture 04-err-401-bad-token: a plain Status, for watches too). Impersonation the caller asks
/// for is then checked (<see cref="CallerImpersonation"/>). The result is the request's
/// <see cref="CallerFeature"/>. Endpoints marked <see cref="UnauthenticatedEndpointMetadata"/>
/// (health probes) are passed on untouched.
/// </summary>
internal sealed partial class CallerAuthenticationMiddleware : IMiddleware
{
    private readonly ClientCertificateAuthenticator _certificates;
    private readonly TokenReviewAuthenticator _tokens;
    private readonly AuthenticationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _anonymous;
    private readonly Lazy<CallerImpersonation> _impersonation;

    public CallerAuthenticationMiddleware(
        IOptions<ApiCacheOptions> options,
        ClientCertificateAuthenticator certificates,
        TokenReviewAuthenticator tokens,
        AuthenticationMetrics metrics,
        IServiceProvider services,
        ILogger<CallerAuthenticationMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _certificates = certificates;
        _tokens = tokens;
        _metrics = metrics;
        _logger = logger;
        _anonymous = options.Value.Security.Authentication.Anonymous;

        // Resolved on first use: the access reviewer (registered by the authorization side, or by the host) is optional.
        _impersonation = new(() => new CallerImpersonation(services.GetService<IAccessReviewer>(), logger));
    }

    /// <inheritdoc/>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return context.GetEndpoint()?.Metadata.GetMetadata<UnauthenticatedEndpointMetadata>() is not null
            ? next(context)
            : AuthenticateAsync(context, next);
    }

    /// <summary>
    /// The bearer token of <paramref name="request"/>, as the apiserver reads it: the first
    /// <c>Authorization</c> header, trimmed, split on single spaces; the scheme <c>Bearer</c> in any
    /// case and a non-empty second part. Null for anything else (other schemes are ignored).
    /// </summary>
    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var parts = header.Split(' ', 3);
        return parts.Length >= 2 && parts[0].Equals("bearer", StringComparison.OrdinalIgnoreCase) && parts[1].Length > 0
            ? parts[1]
            : null;
    }

    private async Task AuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        var (user, method) = await IdentifyAsync(context);
        if (user is null)
        {
            LogUnauthorized(_logger, context.Request.Method, context.Request.Path, method);
            await CacheAnswer.WriteErrorAsync(context, StatusError.Unauthorized());
            return;
        }

        if (IdentityHeaders.HasImpersonation(context.Request.Headers))
        {
            user = await _impersonation.Value.ApplyAsync(context, user);
            if (user is null)
            {
                return;
            }
        }

        context.Features.Set(new CallerFeature(user, method));
        await next(context);
    }

    /// <summary>The caller and how it was authenticated; a null user means 401 (the method then says which credential failed).</summary>
    private async Task<(UserInfo? User, string Method)> IdentifyAsync(HttpContext context)
    {
        var certificate = _certificates.Authenticate(context.Connection.ClientCertificate);
        if (certificate is { Outcome: AuthenticationOutcome.Authenticated, User: { } certificateUser })
        {
            _metrics.Authenticated(AuthenticationMetrics.Method.X509, AuthenticationMetrics.Result.Success);
            return (certificateUser, AuthenticationMetrics.Method.X509);
        }

        if (certificate.Outcome == AuthenticationOutcome.Rejected)
        {
            _metrics.Authenticated(AuthenticationMetrics.Method.X509, AuthenticationMetrics.Result.Failure);
        }

        if (_tokens.Enabled && BearerToken(context.Request) is { } token)
        {
            var review = await _tokens.AuthenticateAsync(token, context.RequestAborted);
            switch (review)
            {
                case { Outcome: AuthenticationOutcome.Authenticated, User: { } tokenUser }:
                    _metrics.Authenticated(AuthenticationMetrics.Method.Token, AuthenticationMetrics.Result.Success);
                    return (tokenUser, AuthenticationMetrics.Method.Token);
                case { Outcome: AuthenticationOutcome.Unavailable }:
                    _metrics.Authenticated(AuthenticationMetrics.Method.Token, AuthenticationMetrics.Result.Error);
                    return (null, AuthenticationMetrics.Method.Token);
                default:
                    _metrics.Authenticated(AuthenticationMetrics.Method.Token, AuthenticationMetrics.Result.Failure);
                    return (null, AuthenticationMetrics.Method.Token);
            }
        }

        if (certificate.Outcome == AuthenticationOutcome.Rejected)
        {
            // As the apiserver: a failed authenticator fails the request before the anonymous fallback.
            return (null, AuthenticationMetrics.Method.X509);
        }

        if (_anonymous)
        {
            _metrics.Authenticated(AuthenticationMetrics.Method.Anonymous, AuthenticationMetrics.Result.Success);
            return (UserInfo.Anonymous, AuthenticationMetrics.Method.Anonymous);
        }

        _metrics.Authenticated(AuthenticationMetrics.Method.Anonymous, AuthenticationMetrics.Result.Failure);
        return (null, AuthenticationMetrics.Method.Anonymous);
    }

    [LoggerMessage(EventId = 930, Level = LogLevel.Debug, Message = "{Method} {Path}: 401 Unauthorized (credential: {Credential})")]
    private static partial void LogUnauthorized(ILogger logger, string method, PathString path, string credential);
}
