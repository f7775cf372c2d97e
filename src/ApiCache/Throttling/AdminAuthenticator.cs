using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ApiCache.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ApiCache.Throttling;

/// <summary>
/// Checks who calls the throttling admin endpoints, until full authentication arrives: a bearer
/// token equal to the content of <see cref="ThrottlingAdminOptions.BearerTokenFile"/> (trimmed; the
/// file is read again when its size or modification time changes, so it can be rotated; compared in
/// fixed time), or a client certificate whose common name is listed in
/// <see cref="ThrottlingAdminOptions.ClientCertificateCommonNames"/>. The certificate is whatever
/// the host's TLS layer accepted: the host must require and validate client certificates against a
/// CA it trusts, or a self-signed certificate could claim any name.
/// </summary>
internal sealed class AdminAuthenticator
{
    private readonly string? _tokenFile;
    private readonly HashSet<string> _commonNames;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private byte[]? _tokenHash;
    private (DateTime Modified, long Length) _tokenVersion;

    /// <summary>Reads the token file now, so a missing or empty one fails start-up.</summary>
    public AdminAuthenticator(ThrottlingAdminOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        _commonNames = new HashSet<string>(options.ClientCertificateCommonNames ?? [], StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(options.BearerTokenFile))
        {
            _tokenFile = Path.GetFullPath(options.BearerTokenFile);
            var error = Reload();
            if (error is not null)
            {
                throw new ApiCacheConfigurationException($"{ThrottlingValidator.Key}:Admin:BearerTokenFile '{options.BearerTokenFile}' {error}.");
            }
        }
    }

    /// <summary>Who the caller is, if anyone allowed, and the outcome.</summary>
    public (AdminAuthOutcome Outcome, string Identity) Authenticate(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var certificateName = context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (certificateName is not null && _commonNames.Contains(certificateName))
        {
            return (AdminAuthOutcome.Allowed, $"client certificate CN={certificateName}");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return TokenMatches(authorization["Bearer ".Length..].Trim())
                ? (AdminAuthOutcome.Allowed, "bearer token")
                : (AdminAuthOutcome.Unauthenticated, "wrong bearer token");
        }

        return certificateName is not null
            ? (AdminAuthOutcome.Forbidden, $"client certificate CN={certificateName} is not in {ThrottlingValidator.Key}:Admin:ClientCertificateCommonNames")
            : (AdminAuthOutcome.Unauthenticated, "no credentials");
    }

    private bool TokenMatches(string token)
    {
        if (_tokenFile is null || token.Length == 0)
        {
            return false;
        }

        byte[]? expected;
        lock (_gate)
        {
            var error = Reload();
            if (error is not null)
            {
                ThrottlingLog.TokenFileUnreadable(_logger, _tokenFile, error);
            }

            expected = _tokenHash;
        }

        return expected is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token)), expected);
    }

    /// <summary>Reads the token file if it changed (caller holds the lock or is the constructor); an error text, or null.</summary>
    private string? Reload()
    {
        try
        {
            var file = new FileInfo(_tokenFile!);
            if (!file.Exists)
            {
                _tokenHash = null;
                return "does not exist";
            }

            var version = (file.LastWriteTimeUtc, file.Length);
            if (_tokenHash is not null && version == _tokenVersion)
            {
                return null;
            }

            var token = File.ReadAllText(_tokenFile!).Trim();
            if (token.Length == 0)
            {
                _tokenHash = null;
                return "is empty";
            }

            _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
            _tokenVersion = version;
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _tokenHash = null;
            return "cannot be read: " + e.Message;
        }
    }
}
