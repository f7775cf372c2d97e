using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// A tiny certificate authority for TLS tests: a CA, a serving certificate for 127.0.0.1 and
/// localhost, and client certificates with a CN (user) and O (groups), as kube-apiserver's client
/// CA authentication reads them.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey;

    public TestPki(string caName = "apicache-test-ca")
    {
        _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={caName}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;

        // The CA outlives every certificate it issues (issued ones end after one day).
        Ca = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }

    public X509Certificate2 Ca { get; }

    public string CaPem => Ca.ExportCertificatePem();

    /// <summary>A serving certificate for 127.0.0.1, ::1 and localhost, with its private key.</summary>
    public X509Certificate2 IssueServer()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        return Issue("CN=kube-apiserver", san.Build(), new Oid("1.3.6.1.5.5.7.3.1"));
    }

    /// <summary>A client certificate for user <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public X509Certificate2 IssueClient(string user, params string[] groups)
    {
        var subject = string.Join(", ", groups.Select(g => $"O={g}").Prepend($"CN={user}"));
        return Issue(subject, null, new Oid("1.3.6.1.5.5.7.3.2"));
    }

    /// <summary><paramref name="certificate"/> and its private key as PEM text.</summary>
    public static (string CertificatePem, string KeyPem) ToPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("no private key");
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Writes <paramref name="certificate"/> and its key as PEM files; returns their paths.</summary>
    public static (string CertificateFile, string KeyFile) WritePem(X509Certificate2 certificate, TempDirectory directory, string name)
    {
        var (certificatePem, keyPem) = ToPem(certificate);
        return (directory.Write(name + ".crt", certificatePem), directory.Write(name + ".key", keyPem));
    }

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }

    private X509Certificate2 Issue(string subject, X509Extension? san, Oid usage)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        if (san is not null)
        {
            request.CertificateExtensions.Add(san);
        }

        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Ca, now.AddMinutes(-5), now.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
