using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Tests.Throttling;

public sealed class AdminAuthenticatorTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly RecordingLogger<AdminAuthenticator> _logger = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("Bearer s3cret", "Allowed")]
    [InlineData("bearer   s3cret  ", "Allowed")]
    [InlineData("Bearer wrong", "Unauthenticated")]
    [InlineData("Bearer ", "Unauthenticated")]
    [InlineData("Basic czNjcmV0", "Unauthenticated")]
    [InlineData("", "Unauthenticated")]
    public void Authenticate_BearerToken_ComparesWithTheFile(string authorization, string expected)
    {
        // Arrange
        var authenticator = new AdminAuthenticator(Admin(_directory.Write("token", "s3cret\n")), _logger);
        var context = Context(authorization);

        // Act
        var (outcome, _) = authenticator.Authenticate(context);

        // Assert
        Assert.Equal(Enum.Parse<AdminAuthOutcome>(expected), outcome);
    }

    [Fact]
    public void Authenticate_TokenFileRotated_AcceptsOnlyTheNewToken()
    {
        // Arrange
        var file = _directory.Write("token", "old-token");
        var authenticator = new AdminAuthenticator(Admin(file), _logger);
        Assert.Equal(AdminAuthOutcome.Allowed, authenticator.Authenticate(Context("Bearer old-token")).Outcome);

        // Act: a longer token, so the change is seen even within one timestamp tick.
        File.WriteAllText(file, "the-new-token");
        var oldToken = authenticator.Authenticate(Context("Bearer old-token")).Outcome;
        var newToken = authenticator.Authenticate(Context("Bearer the-new-token")).Outcome;

        // Assert
        Assert.Equal(AdminAuthOutcome.Unauthenticated, oldToken);
        Assert.Equal(AdminAuthOutcome.Allowed, newToken);
    }

    [Fact]
    public void Authenticate_TokenFileDeleted_RefusesAndLogs()
    {
        // Arrange
        var file = _directory.Write("token", "s3cret");
        var authenticator = new AdminAuthenticator(Admin(file), _logger);

        // Act
        File.Delete(file);
        var outcome = authenticator.Authenticate(Context("Bearer s3cret")).Outcome;

        // Assert
        Assert.Equal(AdminAuthOutcome.Unauthenticated, outcome);
        Assert.Contains(_logger.Entries, e => e.EventId == 505 && e.Message.Contains("does not exist", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing", "does not exist.")]
    [InlineData("empty", "is empty.")]
    public void Constructor_BadTokenFile_FailsStartUp(string name, string expected)
    {
        // Arrange
        if (name == "empty")
        {
            _directory.Write(name, "  \n");
        }

        // Act
        var error = Assert.Throws<ApiCacheConfigurationException>(() => new AdminAuthenticator(Admin(Path.Join(_directory.Path, name)), _logger));

        // Assert
        Assert.StartsWith("ApiCache:Throttling:Admin:BearerTokenFile '", error.Message, StringComparison.Ordinal);
        Assert.EndsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ops-admin", "Allowed")]
    [InlineData("someone-else", "Forbidden")]
    public void Authenticate_ClientCertificate_AllowsOnlyConfiguredCommonNames(string commonName, string expected)
    {
        // Arrange
        var authenticator = new AdminAuthenticator(
            new ThrottlingAdminOptions { Enabled = true, ClientCertificateCommonNames = ["ops-admin"] },
            _logger);
        using var certificate = SelfSigned(commonName);
        var context = Context("");
        context.Connection.ClientCertificate = certificate;

        // Act
        var (outcome, identity) = authenticator.Authenticate(context);

        // Assert
        Assert.Equal(Enum.Parse<AdminAuthOutcome>(expected), outcome);
        Assert.Contains("CN=" + commonName, identity, StringComparison.Ordinal);
    }

    [Fact]
    public void Authenticate_UnlistedCertificateWithValidToken_IsAllowedByTheToken()
    {
        // Arrange
        var admin = Admin(_directory.Write("token", "s3cret"));
        admin.ClientCertificateCommonNames = ["ops-admin"];
        var authenticator = new AdminAuthenticator(admin, _logger);
        using var certificate = SelfSigned("someone-else");
        var context = Context("Bearer s3cret");
        context.Connection.ClientCertificate = certificate;

        // Act
        var (outcome, identity) = authenticator.Authenticate(context);

        // Assert
        Assert.Equal(AdminAuthOutcome.Allowed, outcome);
        Assert.Equal("bearer token", identity);
    }

    private static ThrottlingAdminOptions Admin(string tokenFile) => new() { Enabled = true, BearerTokenFile = tokenFile };

    private static DefaultHttpContext Context(string authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization.Length > 0)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context;
    }

    private static X509Certificate2 SelfSigned(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
    }
}
