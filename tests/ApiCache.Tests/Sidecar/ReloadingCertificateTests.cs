using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;
using ApiCache.Sidecar;
using ApiCache.Tests.Infrastructure;
using ApiCache.Tests.Throttling;
using Microsoft.Extensions.Logging;

namespace ApiCache.Tests.Sidecar;

/// <summary>The HTTPS listener's certificate holder: reload on change, at most once a second, keep the old pair on a bad one.</summary>
public sealed class ReloadingCertificateTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TestPki _pki = new();
    private readonly FakeClock _clock = new();
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly X509Certificate2 _first;
    private int _writes;

    public ReloadingCertificateTests()
    {
        _first = _pki.IssueServer();
        (_certificateFile, _keyFile) = TestPki.WritePem(_first, _temp, "tls");
        Stamp();
    }

    [Fact]
    public void Current_FilesReplaced_NewCertificateOnlyOnceTheCheckIntervalPassed()
    {
        // Arrange
        var holder = ReloadingCertificate.Load(_certificateFile, _keyFile, "Sidecar:Https", _clock);
        using var second = _pki.IssueServer();

        // Act
        WritePair(second);
        var before = Thumbprint(holder.Current);
        _clock.Advance(ReloadingCertificate.CheckInterval - TimeSpan.FromMilliseconds(1));
        var justBefore = Thumbprint(holder.Current);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var after = Thumbprint(holder.Current);

        // Assert
        Assert.Equal(Thumbprint(_first), before);
        Assert.Equal(Thumbprint(_first), justBefore);
        Assert.Equal(Thumbprint(second), after);
    }

    [Fact]
    public void Current_NewPairDoesNotLoad_KeepsPreviousLogsOnceThenTakesTheNextGoodPair()
    {
        // Arrange
        var logger = new RecordingLogger<ReloadingCertificateTests>();
        var holder = ReloadingCertificate.Load(_certificateFile, _keyFile, "Sidecar:Https", _clock);
        holder.Logger = logger;
        using var second = _pki.IssueServer();
        using var third = _pki.IssueServer();

        // Act: the certificate is rotated but the key is not (yet): a mismatched pair.
        File.WriteAllText(_certificateFile, TestPki.ToPem(second).CertificatePem);
        Stamp();
        _clock.Advance(ReloadingCertificate.CheckInterval);
        var afterBadPair = Thumbprint(holder.Current);
        _clock.Advance(ReloadingCertificate.CheckInterval);
        var stillAfterBadPair = Thumbprint(holder.Current);
        var errorsAfterTwoChecks = logger.Entries.Count(e => e.Level == LogLevel.Error);
        WritePair(third);
        _clock.Advance(ReloadingCertificate.CheckInterval);
        var afterGoodPair = Thumbprint(holder.Current);

        // Assert
        Assert.Equal(Thumbprint(_first), afterBadPair);
        Assert.Equal(Thumbprint(_first), stillAfterBadPair);
        Assert.Equal(1, errorsAfterTwoChecks);
        var error = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains(_certificateFile, error.Message, StringComparison.Ordinal);
        Assert.Contains("still presenting the previous certificate", error.Message, StringComparison.Ordinal);
        Assert.Equal(Thumbprint(third), afterGoodPair);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains(Thumbprint(third), StringComparison.Ordinal));
    }

    [Fact]
    public void Current_FileRemovedForAMoment_KeepsPrevious()
    {
        var holder = ReloadingCertificate.Load(_certificateFile, _keyFile, "Sidecar:Https", _clock);
        File.Delete(_keyFile);

        _clock.Advance(ReloadingCertificate.CheckInterval);

        Assert.Equal(Thumbprint(_first), Thumbprint(holder.Current));
    }

    [Fact]
    public void Load_KeyOfAnotherCertificate_ThrowsConfigurationErrorNamingTheFiles()
    {
        using var other = _pki.IssueServer();
        File.WriteAllText(_keyFile, TestPki.ToPem(other).KeyPem);

        var error = Assert.Throws<ApiCacheConfigurationException>(() => ReloadingCertificate.Load(_certificateFile, _keyFile, "Sidecar:Https", _clock));

        Assert.StartsWith("Sidecar:Https: cannot load the certificate '" + _certificateFile + "' with key '" + _keyFile + "'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingKeyFile_ThrowsConfigurationErrorNamingTheKey()
    {
        File.Delete(_keyFile);

        var error = Assert.Throws<ApiCacheConfigurationException>(() => ReloadingCertificate.Load(_certificateFile, _keyFile, "Sidecar:Https", _clock));

        Assert.Equal($"Sidecar:Https:KeyFile: file '{_keyFile}' does not exist.", error.Message);
    }

    public void Dispose()
    {
        _first.Dispose();
        _pki.Dispose();
        _temp.Dispose();
    }

    private static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private void WritePair(X509Certificate2 certificate)
    {
        var (certificatePem, keyPem) = TestPki.ToPem(certificate);
        File.WriteAllText(_keyFile, keyPem);
        File.WriteAllText(_certificateFile, certificatePem);
        Stamp();
    }

    /// <summary>
    /// Gives the files a modification time of their own: the file system's clock is coarse (a few
    /// milliseconds), and two PEM files of the same kind have the same size, so two writes in quick
    /// succession could otherwise look unchanged.
    /// </summary>
    private void Stamp()
    {
        var written = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(++_writes);
        File.SetLastWriteTimeUtc(_certificateFile, written);
        File.SetLastWriteTimeUtc(_keyFile, written);
    }
}
