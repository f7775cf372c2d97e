using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ApiCache.Tests.Infrastructure;

/// <summary>Self-signed ECDSA certificates generated in-process, exported as PEM.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<(string Cert, string Key)> Ca = new(() => Create("CN=apicache-test-ca", ca: true));
    private static readonly Lazy<(string Cert, string Key)> Client = new(() => Create("CN=apicache-test-client", ca: false));
    private static readonly Lazy<(string Cert, string Key)> Other = new(() => Create("CN=apicache-test-other", ca: false));

    public static string CaPem => Ca.Value.Cert;

    public static string ClientCertificatePem => Client.Value.Cert;

    public static string ClientKeyPem => Client.Value.Key;

    /// <summary>A key that does not belong to <see cref="ClientCertificatePem"/>.</summary>
    public static string OtherKeyPem => Other.Value.Key;

    public static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    public static byte[] Bytes(string pem) => Encoding.UTF8.GetBytes(pem);

    private static (string Cert, string Key) Create(string subject, bool ca)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
