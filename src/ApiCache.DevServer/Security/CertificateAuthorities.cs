using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ApiCache.DevServer.Security;

/// <summary>
/// A PEM bundle of CAs (re-read when the file changes) and the check kube-apiserver makes of a
/// client certificate against it: the chain must end at one of these CAs (they are the only trust
/// anchors; revocation is not checked) and the certificate must allow client authentication.
/// </summary>
internal sealed class CertificateAuthorities
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly WatchedFile<X509Certificate2Collection> _bundle;

    /// <summary>Reads the bundle at <paramref name="path"/> (named <paramref name="setting"/> in messages) now.</summary>
    public CertificateAuthorities(string path, string setting, ILogger logger)
    {
        _bundle = new WatchedFile<X509Certificate2Collection>(path, setting, Parse, logger);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of the CAs and may authenticate a client.</summary>
    public bool Verifies(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(_bundle.Current);
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        try
        {
            return chain.Build(certificate);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static X509Certificate2Collection Parse(string pem)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(pem);
        return certificates.Count > 0 ? certificates : throw new FormatException("holds no PEM certificate");
    }
}
