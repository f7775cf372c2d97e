using System.Security.Cryptography.X509Certificates;
using ApiCache.DevServer.Configuration;
using ApiCache.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace ApiCache.DevServer.Security;

/// <summary>
/// Who sent a request, in kube-apiserver's order: (1) a client certificate of a front proxy
/// (chains to <see cref="DevServerTlsOptions.RequestHeaderClientCaFile"/>, CN allowed) naming the
/// user in <c>X-Remote-User</c>; (2) a client certificate that chains to
/// <see cref="DevServerTlsOptions.ClientCaFile"/>: user = CN, groups = O; (3) a bearer token of the
/// policy (an unknown one is refused: 401); (4) nobody: <c>system:anonymous</c>, unless the policy
/// turns anonymous requests off (401). A certificate that verifies against neither CA is refused
/// with 401 unless a valid token authenticates the request, as kube-apiserver does. The TLS layer
/// accepts any client certificate; the chain is checked here.
/// </summary>
internal sealed class RequestAuthenticator
{
    private const string RemoteUser = "X-Remote-User";
    private const string RemoteGroup = "X-Remote-Group";
    private const string RemoteExtraPrefix = "X-Remote-Extra-";

    private readonly CertificateAuthorities? _clients;
    private readonly CertificateAuthorities? _frontProxies;
    private readonly HashSet<string> _frontProxyNames;

    /// <summary>Reads the CA bundles named in <paramref name="tls"/> now (a missing or broken one fails start-up).</summary>
    public RequestAuthenticator(DevServerTlsOptions tls, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(tls);
        if (!string.IsNullOrWhiteSpace(tls.ClientCaFile))
        {
            _clients = new CertificateAuthorities(tls.ClientCaFile, "DevServer:Tls:ClientCaFile", logger);
        }

        if (!string.IsNullOrWhiteSpace(tls.RequestHeaderClientCaFile))
        {
            _frontProxies = new CertificateAuthorities(tls.RequestHeaderClientCaFile, "DevServer:Tls:RequestHeaderClientCaFile", logger);
        }

        _frontProxyNames = new HashSet<string>(tls.RequestHeaderAllowedNames, StringComparer.Ordinal);
    }

    /// <summary>The caller of <paramref name="context"/>, or null when the request is to be refused with 401.</summary>
    public CallerFeature? Authenticate(HttpContext context, SecurityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        var certificate = context.Connection.ClientCertificate;
        var rejectedCertificate = false;
        if (certificate is not null)
        {
            if (FromFrontProxy(context.Request, certificate) is { } proxied)
            {
                return new CallerFeature(proxied, "front-proxy");
            }

            if (_clients is not null)
            {
                if (_clients.Verifies(certificate) && FromCertificate(certificate) is { } user)
                {
                    return new CallerFeature(user, "x509");
                }

                rejectedCertificate = !(_frontProxies?.Verifies(certificate) ?? false);
            }
        }

        if (CallerAuthenticationMiddleware.BearerToken(context.Request) is { } token)
        {
            return policy.Tokens.TryGetValue(token, out var tokenUser) ? new CallerFeature(tokenUser, "token") : null;
        }

        // As kube-apiserver: a certificate the client CA does not verify is an authentication
        // error, which anonymous access does not paper over (401), unless a valid token came too.
        if (rejectedCertificate)
        {
            return null;
        }

        return policy.Anonymous ? new CallerFeature(UserInfo.Anonymous, "anonymous") : null;
    }

    private UserInfo? FromFrontProxy(HttpRequest request, X509Certificate2 certificate)
    {
        if (_frontProxies is null || !_frontProxies.Verifies(certificate))
        {
            return null;
        }

        var (commonName, _) = Subject(certificate);
        if (_frontProxyNames.Count > 0 && !_frontProxyNames.Contains(commonName))
        {
            return null;
        }

        var name = request.Headers[RemoteUser].FirstOrDefault(v => !string.IsNullOrEmpty(v));
        if (name is null)
        {
            return null;
        }

        var groups = request.Headers[RemoteGroup].Where(g => g is not null).Select(g => g!).ToList();
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (header, values) in request.Headers)
        {
            if (header.StartsWith(RemoteExtraPrefix, StringComparison.OrdinalIgnoreCase))
            {
                extra[ExtraKey(header[RemoteExtraPrefix.Length..])] = Values(values);
            }
        }

        return UserInfo.Authenticated(name, "", groups, extra.Count > 0 ? extra : null);
    }

    private static UserInfo? FromCertificate(X509Certificate2 certificate)
    {
        var (commonName, organizations) = Subject(certificate);
        return commonName.Length == 0 ? null : UserInfo.Authenticated(commonName, "", organizations);
    }

    /// <summary>The CN (the last one, as Go reads it) and the O values of a certificate's subject.</summary>
    private static (string CommonName, List<string> Organizations) Subject(X509Certificate2 certificate)
    {
        var commonName = "";
        var organizations = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            var value = rdn.GetSingleElementValue() ?? "";
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.3":
                    commonName = value;
                    break;
                case "2.5.4.10":
                    organizations.Add(value);
                    break;
            }
        }

        return (commonName, organizations);
    }

    /// <summary>A header's extra key: lower-cased, then percent-decoded, as the apiserver does.</summary>
    public static string ExtraKey(string encoded)
    {
        var lower = encoded.ToLowerInvariant();
        try
        {
            return Uri.UnescapeDataString(lower);
        }
        catch (UriFormatException)
        {
            return lower;
        }
    }

    /// <summary>Every value of a repeated header.</summary>
    public static List<string> Values(StringValues values) => [.. values.Where(v => v is not null).Select(v => v!)];
}
