using ApiCache.Tests.Infrastructure;
using ApiCache.Configuration;
using ApiCache.Upstream;

namespace ApiCache.Tests.Upstream;

public sealed class UpstreamSettingsResolverTests : IDisposable
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Resolve_NoSource_ThrowsNamingAllOptions()
    {
        // Arrange
        var options = new UpstreamOptions();

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.Equal(
            "No upstream apiserver configured: set ApiCache:Upstream:Servers:0:Url, ApiCache:Upstream:Kubeconfig or ApiCache:Upstream:InCluster=true (see README, Configuration).",
            ex.Message);
    }

    [Fact]
    public void Resolve_ServersAndInCluster_ThrowsNamingBoth()
    {
        // Arrange
        var options = new UpstreamOptions { InCluster = true, Servers = { new UpstreamServerOptions { Url = "https://a" } } };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.Contains("(ApiCache:Upstream:Servers, ApiCache:Upstream:InCluster)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ApiCache:Upstream:Kubeconfig,", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "ApiCache:Upstream:Servers:1:Url is not set")]
    [InlineData("10.0.0.1:6443", "ApiCache:Upstream:Servers:1:Url '10.0.0.1:6443' is not an absolute http or https URL")]
    [InlineData("/api", "ApiCache:Upstream:Servers:1:Url '/api' is not an absolute http or https URL")]
    [InlineData("https://a.example/?x=1", "ApiCache:Upstream:Servers:1:Url 'https://a.example/?x=1' must not have a query or fragment")]
    public void Resolve_BadUrl_ThrowsNamingIndexedKey(string? url, string expected)
    {
        // Arrange
        var options = new UpstreamOptions
        {
            Servers = { new UpstreamServerOptions { Url = "https://ok.example" }, new UpstreamServerOptions { Url = url } },
        };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TokenAndTokenFile_Throws()
    {
        // Arrange
        var tokenFile = _dir.Write("token", "t");
        var options = new UpstreamOptions
        {
            Servers = { new UpstreamServerOptions { Url = "https://a.example", BearerToken = "t", BearerTokenFile = tokenFile } },
        };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.Contains("ApiCache:Upstream:Servers:0 sets both BearerToken and BearerTokenFile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_MissingTokenFile_ThrowsNamingKeyAndPath()
    {
        // Arrange
        var tokenFile = Path.Join(_dir.Path, "missing-token");
        var options = new UpstreamOptions { Servers = { new UpstreamServerOptions { Url = "https://a.example", BearerTokenFile = tokenFile } } };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.StartsWith($"ApiCache:Upstream:Servers:0:BearerTokenFile '{tokenFile}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_CertificateWithoutKey_ThrowsNamingBothKeys()
    {
        // Arrange
        var cert = _dir.Write("client.crt", TestCertificates.ClientCertificatePem);
        var options = new UpstreamOptions { Servers = { new UpstreamServerOptions { Url = "https://a.example", ClientCertificateFile = cert } } };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.Equal(
            "ApiCache:Upstream:Servers:0:ClientCertificateFile is set but ApiCache:Upstream:Servers:0:ClientKeyFile is not; set both or neither.",
            ex.Message);
    }

    [Fact]
    public void Resolve_MissingCaFile_ThrowsNamingKeyAndPath()
    {
        // Arrange
        var ca = Path.Join(_dir.Path, "ca.crt");
        var options = new UpstreamOptions { Servers = { new UpstreamServerOptions { Url = "https://a.example", CertificateAuthorityFile = ca } } };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.StartsWith($"ApiCache:Upstream:Servers:0:CertificateAuthorityFile '{ca}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TwoServersWithFiles_ReadsPemAndKeepsOrder()
    {
        // Arrange
        var cert = _dir.Write("client.crt", TestCertificates.ClientCertificatePem);
        var key = _dir.Write("client.key", TestCertificates.ClientKeyPem);
        var ca = _dir.Write("ca.crt", TestCertificates.CaPem);
        var options = new UpstreamOptions
        {
            Servers =
            {
                new UpstreamServerOptions { Url = "https://a.example:6443", ClientCertificateFile = cert, ClientKeyFile = key, CertificateAuthorityFile = ca, TlsServerName = "kubernetes" },
                new UpstreamServerOptions { Url = "http://b.example:8080/prefix/", BearerToken = " tok " },
            },
        };

        // Act
        var servers = UpstreamSettingsResolver.Resolve(options, NoEnvironment);

        // Assert
        Assert.Equal(2, servers.Count);
        Assert.Equal(new Uri("https://a.example:6443"), servers[0].Url);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.ClientCertificatePem), servers[0].ClientCertificatePem);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.ClientKeyPem), servers[0].ClientKeyPem);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.CaPem), servers[0].CertificateAuthorityPem);
        Assert.Equal("kubernetes", servers[0].TlsServerName);
        Assert.Equal("ApiCache:Upstream:Servers:0", servers[0].Source);
        Assert.Equal(new Uri("http://b.example:8080/prefix/"), servers[1].Url);
        Assert.Equal("tok", servers[1].BearerToken);
        Assert.Equal("ApiCache:Upstream:Servers:1", servers[1].Source);
    }

    [Fact]
    public void Resolve_MismatchedKey_ThrowsNamingKey()
    {
        // Arrange
        var cert = _dir.Write("client.crt", TestCertificates.ClientCertificatePem);
        var key = _dir.Write("client.key", TestCertificates.OtherKeyPem);
        var options = new UpstreamOptions { Servers = { new UpstreamServerOptions { Url = "https://a.example", ClientCertificateFile = cert, ClientKeyFile = key } } };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.StartsWith("ApiCache:Upstream:Servers:0:ClientCertificateFile", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Resolve_HomePrefix_ExpandsToHomeDirectory()
    {
        // Arrange
        var tokenFile = _dir.Write("token", "t");
        var env = InClusterConfigLoaderTests.Env(("HOME", _dir.Path));
        var options = new UpstreamOptions { Servers = { new UpstreamServerOptions { Url = "https://a.example", BearerTokenFile = "~/token" } } };

        // Act
        var servers = UpstreamSettingsResolver.Resolve(options, env);

        // Assert
        Assert.Equal(tokenFile, servers[0].BearerTokenFile);
    }

    [Fact]
    public void Resolve_KubeconfigUnderHome_LoadsContext()
    {
        // Arrange
        _dir.Write(".kube/config", """
            clusters:
            - {name: c, cluster: {server: "https://k.example"}}
            contexts:
            - {name: dev, context: {cluster: c}}
            """);
        var env = InClusterConfigLoaderTests.Env(("HOME", _dir.Path));
        var options = new UpstreamOptions { Kubeconfig = "~/.kube/config", Context = "dev" };

        // Act
        var servers = UpstreamSettingsResolver.Resolve(options, env);

        // Assert
        var server = Assert.Single(servers);
        Assert.Equal(new Uri("https://k.example"), server.Url);
        Assert.Equal($"kubeconfig {Path.Join(_dir.Path, ".kube", "config")} (context dev)", server.Source);
    }

    [Fact]
    public void Resolve_InCluster_UsesServiceAccountDirectory()
    {
        // Arrange
        _dir.Write("token", "t");
        _dir.Write("ca.crt", TestCertificates.CaPem);
        var env = InClusterConfigLoaderTests.Env(("KUBERNETES_SERVICE_HOST", "10.96.0.1"), ("KUBERNETES_SERVICE_PORT", "443"));
        var options = new UpstreamOptions { InCluster = true, ServiceAccountDirectory = _dir.Path };

        // Act
        var server = Assert.Single(UpstreamSettingsResolver.Resolve(options, env));

        // Assert
        Assert.Equal(new Uri("https://10.96.0.1:443"), server.Url);
        Assert.Equal("in-cluster service account", server.Source);
    }

    [Fact]
    public void Resolve_ContextWithoutKubeconfig_Throws()
    {
        // Arrange
        var options = new UpstreamOptions { Context = "dev", Servers = { new UpstreamServerOptions { Url = "https://a.example" } } };

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => UpstreamSettingsResolver.Resolve(options, NoEnvironment));

        // Assert
        Assert.StartsWith("ApiCache:Upstream:Context is set but ApiCache:Upstream:Kubeconfig is not", ex.Message, StringComparison.Ordinal);
    }
}
