using ApiCache.Tests.Infrastructure;
using ApiCache.Configuration;
using ApiCache.Upstream;

namespace ApiCache.Tests.Upstream;

public sealed class InClusterConfigLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_PodEnvironment_BuildsHttpsUrlTokenFileAndCa()
    {
        // Arrange
        var token = _dir.Write("sa/token", "sa-token");
        _dir.Write("sa/ca.crt", TestCertificates.CaPem);
        var env = Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));

        // Act
        var settings = InClusterConfigLoader.Load(Path.Join(_dir.Path, "sa"), env);

        // Assert
        Assert.Equal(new Uri("https://10.96.0.1:443"), settings.Url);
        Assert.Equal(token, settings.BearerTokenFile);
        Assert.Null(settings.BearerToken);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.CaPem), settings.CertificateAuthorityPem);
        Assert.Equal("in-cluster service account", settings.Source);
    }

    [Fact]
    public void Load_Ipv6Host_BracketsHostInUrl()
    {
        // Arrange
        _dir.Write("token", "t");
        _dir.Write("ca.crt", TestCertificates.CaPem);
        var env = Env(("KUBERNETES_SERVICE_HOST", "fd00:10:96::1"), ("KUBERNETES_SERVICE_PORT", "6443"));

        // Act
        var settings = InClusterConfigLoader.Load(_dir.Path, env);

        // Assert
        Assert.Equal("https://[fd00:10:96::1]:6443/", settings.Url.AbsoluteUri);
        Assert.Equal(6443, settings.Url.Port);
    }

    [Fact]
    public void Load_HostNotSet_ThrowsNotInPod()
    {
        // Arrange
        _dir.Write("token", "t");
        _dir.Write("ca.crt", TestCertificates.CaPem);
        var env = Env(("KUBERNETES_SERVICE_PORT", "443"));

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => InClusterConfigLoader.Load(_dir.Path, env));

        // Assert
        Assert.Contains("KUBERNETES_SERVICE_HOST is not set", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not running in a pod?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PortNotSet_Throws()
    {
        // Arrange
        var env = Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"));

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => InClusterConfigLoader.Load(_dir.Path, env));

        // Assert
        Assert.Contains("KUBERNETES_SERVICE_PORT is not set", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TokenMissing_ThrowsNamingTokenPath()
    {
        // Arrange
        _dir.Write("ca.crt", TestCertificates.CaPem);
        var env = Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => InClusterConfigLoader.Load(_dir.Path, env));

        // Assert
        Assert.Contains($"'{Path.Join(_dir.Path, "token")}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CaMissing_ThrowsNamingCaPath()
    {
        // Arrange
        _dir.Write("token", "t");
        var env = Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => InClusterConfigLoader.Load(_dir.Path, env));

        // Assert
        Assert.Contains($"'{Path.Join(_dir.Path, "ca.crt")}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    internal static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }
}
