using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using ApiCache.Upstream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Security;

/// <summary>
/// The apiserver's <c>--client-ca-file</c> authentication: a client certificate that chains to one
/// of the CAs in <see cref="CallerAuthenticationOptions.ClientCaFile"/> (custom root trust, no
/// revocation check, extended key usage client authentication, valid now) is the user named by its
/// subject's CN, in the groups named by its O values (in the order the certificate lists them), plus
/// <c>system:authenticated</c>. A certificate that does not verify is no identity (<see cref="AuthenticationOutcome.Rejected"/>);
/// one without a CN is ignored. The CA file is checked for changes (size, modification time) whenever
/// a certificate is verified and re-read when it changed; a broken edit keeps the previous CAs. The
/// TLS layer must ask for client certificates without validating them itself (Kestrel:
/// <c>ClientCertificateMode.AllowCertificate</c> and <c>AllowAnyClientCertificate()</c>).
/// Results are remembered per certificate object (one per TLS connection) until the CAs change.
/// </summary>
internal sealed partial class ClientCertificateAuthenticator
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";
    private const string CommonNameOid = "2.5.4.3";
    private const string OrganizationOid = "2.5.4.10";
    private const string What = "ApiCache:Security:Authentication:ClientCaFile";

    private readonly string? _caFile;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConditionalWeakTable<X509Certificate2, Verified> _verified = [];
    private X509Certificate2Collection? _roots;
    private (DateTime Modified, long Length) _version;
    private int _generation;

    /// <summary>Reads the CA file now, so a missing or broken one fails start-up.</summary>
    public ClientCertificateAuthenticator(IOptions<ApiCacheOptions> options, ILogger<ClientCertificateAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger;
        var file = options.Value.Security.Authentication.ClientCaFile;
        if (!string.IsNullOrWhiteSpace(file))
        {
            _caFile = Path.GetFullPath(file);
            Reload(throwOnError: true);
        }
    }

    /// <summary>Whether client certificates are accepted at all (a CA file is configured).</summary>
    public bool Enabled => _caFile is not null;

    /// <summary>Who <paramref name="certificate"/> (the TLS client certificate, if any) says the caller is.</summary>
    public AuthenticationResult Authenticate(X509Certificate2? certificate)
    {
        if (certificate is null || _caFile is null)
        {
            return AuthenticationResult.None;
        }

        X509Certificate2Collection? roots;
        int generation;
        lock (_gate)
        {
            Reload(throwOnError: false);
            roots = _roots;
            generation = _generation;
        }

        if (roots is null)
        {
            return AuthenticationResult.Rejected;
        }

        if (_verified.TryGetValue(certificate, out var known) && known.Generation == generation && DateTime.UtcNow < known.NotAfter)
        {
            return known.Result;
        }

        var result = Verify(certificate, roots);
        _verified.AddOrUpdate(certificate, new Verified(generation, certificate.NotAfter.ToUniversalTime(), result));
        return result;
    }

    private AuthenticationResult Verify(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        bool valid;
        try
        {
            valid = chain.Build(certificate);
            if (!valid)
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                LogRejected(_logger, certificate.Subject, status);
            }
        }
        catch (CryptographicException e)
        {
            LogRejected(_logger, certificate.Subject, e.Message);
            valid = false;
        }

        if (!valid)
        {
            return AuthenticationResult.Rejected;
        }

        // As Go reads pkix.Name: RDNs in encoded order; the last CN wins, every O is a group.
        string? user = null;
        var groups = new List<string>();
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            switch (rdn.GetSingleElementType().Value)
            {
                case CommonNameOid:
                    user = rdn.GetSingleElementValue();
                    break;
                case OrganizationOid when rdn.GetSingleElementValue() is { } organization:
                    groups.Add(organization);
                    break;
            }
        }

        return string.IsNullOrEmpty(user)
            ? AuthenticationResult.None
            : AuthenticationResult.Authenticated(UserInfo.Authenticated(user, "", groups));
    }

    /// <summary>Re-reads the CA file when its size or modification time changed (caller holds the lock, or is the constructor).</summary>
    private void Reload(bool throwOnError)
    {
        string? error = null;
        try
        {
            var file = new FileInfo(_caFile!);
            if (!file.Exists)
            {
                error = "does not exist";
            }
            else
            {
                var version = (file.LastWriteTimeUtc, file.Length);
                if (_roots is not null && version == _version)
                {
                    return;
                }

                var roots = UpstreamMaterial.LoadCertificateAuthority(File.ReadAllBytes(_caFile!), What);
                _roots = roots;
                _version = version;
                _generation++;
                LogLoaded(_logger, _caFile!, roots.Count);
                return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = "cannot be read: " + UpstreamMaterial.OneLine(e.Message);
        }
        catch (ApiCacheConfigurationException e)
        {
            error = e.Message;
        }

        if (throwOnError)
        {
            throw new ApiCacheConfigurationException(error.StartsWith(What, StringComparison.Ordinal)
                ? error
                : $"{What} '{_caFile}' {error}; fix the path or the file.");
        }

        // Log each broken state once: remember it as the current version, keeping the previous CAs.
        var current = SafeVersion();
        if (current != _version)
        {
            _version = current;
            LogReloadFailed(_logger, _caFile!, error);
        }
    }

    private (DateTime Modified, long Length) SafeVersion()
    {
        try
        {
            var file = new FileInfo(_caFile!);
            return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Client certificates are verified against {File} ({Count} CA certificates)")]
    private static partial void LogLoaded(ILogger logger, string file, int count);

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "The client CA file {File} changed but cannot be used ({Error}); the previous CAs stay in force")]
    private static partial void LogReloadFailed(ILogger logger, string file, string error);

    [LoggerMessage(EventId = 902, Level = LogLevel.Debug, Message = "A client certificate ({Subject}) does not verify against the client CAs: {Status}")]
    private static partial void LogRejected(ILogger logger, string subject, string status);

    /// <summary>A certificate's verification, valid for the CA generation it was made with until the certificate expires.</summary>
    private sealed record Verified(int Generation, DateTime NotAfter, AuthenticationResult Result);
}
