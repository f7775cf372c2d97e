using System.Text;

namespace ApiCache.Tests.Infrastructure;

/// <summary>PEM material for configuration tests, issued once by a shared <see cref="TestPki"/>.</summary>
internal static class TestCertificates
{
    private static readonly Lazy<TestPki> Pki = new(() => new TestPki());
    private static readonly Lazy<(string Cert, string Key)> Client = new(() => Issue("apicache-test-client"));
    private static readonly Lazy<(string Cert, string Key)> Other = new(() => Issue("apicache-test-other"));

    public static string CaPem => Pki.Value.CaPem;

    public static string ClientCertificatePem => Client.Value.Cert;

    public static string ClientKeyPem => Client.Value.Key;

    /// <summary>A key that does not belong to <see cref="ClientCertificatePem"/>.</summary>
    public static string OtherKeyPem => Other.Value.Key;

    public static string Base64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    public static byte[] Bytes(string pem) => Encoding.UTF8.GetBytes(pem);

    private static (string Cert, string Key) Issue(string user)
    {
        using var certificate = Pki.Value.IssueClient(user);
        return TestPki.ToPem(certificate);
    }
}
