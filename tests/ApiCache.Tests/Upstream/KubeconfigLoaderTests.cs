using ApiCache.Tests.Infrastructure;
using ApiCache.Configuration;
using ApiCache.Upstream;

namespace ApiCache.Tests.Upstream;

public sealed class KubeconfigLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_DataFields_DecodesBase64Pem()
    {
        // Arrange
        var path = _dir.Write("config", $$"""
            apiVersion: v1
            kind: Config
            preferences: {}
            clusters:
            - name: prod
              cluster:
                server: https://10.0.0.1:6443/prefix
                certificate-authority-data: {{TestCertificates.Base64(TestCertificates.CaPem)}}
                extensions: [{name: x, extension: {a: b} }]
            users:
            - name: admin
              user:
                client-certificate-data: {{TestCertificates.Base64(TestCertificates.ClientCertificatePem)}}
                client-key-data: {{TestCertificates.Base64(TestCertificates.ClientKeyPem)}}
            contexts:
            - name: prod
              context: {cluster: prod, user: admin, namespace: kube-system}
            current-context: prod
            """);

        // Act
        var settings = KubeconfigLoader.Load(path, context: null);

        // Assert
        Assert.Equal(new Uri("https://10.0.0.1:6443/prefix"), settings.Url);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.CaPem), settings.CertificateAuthorityPem);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.ClientCertificatePem), settings.ClientCertificatePem);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.ClientKeyPem), settings.ClientKeyPem);
        Assert.Null(settings.BearerToken);
        Assert.False(settings.InsecureSkipTlsVerify);
        Assert.Equal($"kubeconfig {path} (context prod)", settings.Source);
    }

    [Fact]
    public void Load_FileFields_ResolvedRelativeToKubeconfigDirectory()
    {
        // Arrange
        _dir.Write("kube/pki/ca.crt", TestCertificates.CaPem);
        _dir.Write("kube/pki/client.crt", TestCertificates.ClientCertificatePem);
        _dir.Write("kube/pki/client.key", TestCertificates.ClientKeyPem);
        var path = _dir.Write("kube/config", """
            clusters:
            - name: c
              cluster:
                server: https://api.example:6443
                certificate-authority: pki/ca.crt
            users:
            - name: u
              user:
                client-certificate: pki/client.crt
                client-key: ./pki/client.key
            contexts:
            - name: ctx
              context: {cluster: c, user: u}
            current-context: ctx
            """);

        // Act
        var settings = KubeconfigLoader.Load(path, context: null);

        // Assert
        Assert.Equal(TestCertificates.Bytes(TestCertificates.CaPem), settings.CertificateAuthorityPem);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.ClientCertificatePem), settings.ClientCertificatePem);
        Assert.Equal(TestCertificates.Bytes(TestCertificates.ClientKeyPem), settings.ClientKeyPem);
    }

    [Fact]
    public void Load_TokenAndTokenFile_CopiesTokenAndAbsoluteTokenFile()
    {
        // Arrange
        var tokenFile = _dir.Write("kube/secrets/token", "file-token\n");
        var path = _dir.Write("kube/config", """
            clusters:
            - {name: c, cluster: {server: "https://api.example"} }
            users:
            - {name: static, user: {token: " abc "} }
            - {name: file, user: {tokenFile: secrets/token} }
            contexts:
            - {name: static, context: {cluster: c, user: static} }
            - {name: file, context: {cluster: c, user: file} }
            """);

        // Act
        var staticSettings = KubeconfigLoader.Load(path, "static");
        var fileSettings = KubeconfigLoader.Load(path, "file");

        // Assert
        Assert.Equal("abc", staticSettings.BearerToken);
        Assert.Null(staticSettings.BearerTokenFile);
        Assert.Null(fileSettings.BearerToken);
        Assert.Equal(tokenFile, fileSettings.BearerTokenFile);
    }

    [Fact]
    public void Load_ExplicitContext_OverridesCurrentContext()
    {
        // Arrange
        var path = _dir.Write("config", TwoContexts);

        // Act
        var settings = KubeconfigLoader.Load(path, "b");

        // Assert
        Assert.Equal(new Uri("https://b.example"), settings.Url);
        Assert.Contains("(context b)", settings.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoContextGiven_UsesCurrentContext()
    {
        // Arrange
        var path = _dir.Write("config", TwoContexts);

        // Act
        var settings = KubeconfigLoader.Load(path, " ");

        // Assert
        Assert.Equal(new Uri("https://a.example"), settings.Url);
    }

    [Fact]
    public void Load_UnknownContext_ThrowsListingAvailableContexts()
    {
        // Arrange
        var path = _dir.Write("config", TwoContexts);

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => KubeconfigLoader.Load(path, "c"));

        // Assert
        AssertOneLine(ex);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("available contexts: a, b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoCurrentContextAndNoneGiven_ThrowsNamingContextOption()
    {
        // Arrange
        var path = _dir.Write("config", TwoContexts.Replace("current-context: a", string.Empty, StringComparison.Ordinal));

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("no current-context", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ApiCache:Upstream:Context", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UndefinedCluster_ThrowsNamingCluster()
    {
        // Arrange
        var path = _dir.Write("config", """
            contexts:
            - {name: x, context: {cluster: missing} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("cluster 'missing'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExecPlugin_ThrowsNotSupported()
    {
        // Arrange
        var path = _dir.Write("config", """
            clusters:
            - {name: c, cluster: {server: "https://api.example"} }
            users:
            - name: eks
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token]
                  interactiveMode: Never
            contexts:
            - {name: x, context: {cluster: c, user: eks} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("exec credential plugins are not supported; use a token, token file or client certificate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("user 'eks'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("username: bob\n    password: secret", "basic authentication")]
    [InlineData("auth-provider: {name: oidc}", "auth-provider 'oidc'")]
    public void Load_UnsupportedAuthentication_Throws(string userYaml, string expected)
    {
        // Arrange
        var path = _dir.Write("config", $$"""
            clusters:
            - {name: c, cluster: {server: "https://api.example"} }
            users:
            - name: u
              user:
                {{userYaml}}
            contexts:
            - {name: x, context: {cluster: c, user: u} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ProxyUrl_ThrowsNotSupported()
    {
        // Arrange
        var path = _dir.Write("config", """
            clusters:
            - {name: c, cluster: {server: "https://api.example", proxy-url: "socks5://localhost:1080"} }
            contexts:
            - {name: x, context: {cluster: c} }
            current-context: x
            """);

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => KubeconfigLoader.Load(path, null));

        // Assert
        Assert.Contains("proxy-url", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InsecureSkipTlsVerifyAndTlsServerName_AreCopied()
    {
        // Arrange
        var path = _dir.Write("config", """
            clusters:
            - name: c
              cluster:
                server: https://127.0.0.1:6443
                insecure-skip-tls-verify: true
                tls-server-name: kubernetes.default.svc
            contexts:
            - {name: x, context: {cluster: c} }
            current-context: x
            """);

        // Act
        var settings = KubeconfigLoader.Load(path, null);

        // Assert
        Assert.True(settings.InsecureSkipTlsVerify);
        Assert.Equal("kubernetes.default.svc", settings.TlsServerName);
        Assert.Null(settings.CertificateAuthorityPem);
        Assert.Null(settings.BearerToken);
    }

    [Fact]
    public void Load_InvalidYaml_ThrowsNamingFileAndLine()
    {
        // Arrange
        var path = _dir.Write("config", "clusters:\n- name: c\n  cluster: {server: [\ncontexts: x\n");

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("line ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WrongFieldType_ThrowsNamingFileAndLine()
    {
        // Arrange
        var path = _dir.Write("config", "clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: maybe\n");

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"maybe\" is not a valid YAML Boolean", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ScalarWhereListExpected_ThrowsWithoutAssemblyNames()
    {
        // Arrange
        var path = _dir.Write("config", "clusters: 5\n");

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => KubeconfigLoader.Load(path, null));

        // Assert
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PublicKeyToken", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoContexts_ThrowsSayingSo()
    {
        // Arrange
        var path = _dir.Write("config", "apiVersion: v1\nkind: Config\n");

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => KubeconfigLoader.Load(path, null));

        // Assert
        Assert.Contains("defines no contexts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsNamingFile()
    {
        // Arrange
        var path = Path.Join(_dir.Path, "nope");

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains($"'{path}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("server: 10.0.0.1:6443")]
    [InlineData("server: /api")]
    [InlineData("server: ftp://10.0.0.1")]
    public void Load_ServerMissingOrNotHttpUrl_Throws(string serverYaml)
    {
        // Arrange
        var path = _dir.Write("config", $$"""
            clusters:
            - name: c
              cluster:
                {{serverYaml}}
                insecure-skip-tls-verify: false
            contexts:
            - {name: x, context: {cluster: c} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("cluster 'c'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("https://10.0.0.1:6443", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CertificateWithoutKey_Throws()
    {
        // Arrange
        var path = _dir.Write("config", $$"""
            clusters:
            - {name: c, cluster: {server: "https://api.example"} }
            users:
            - name: u
              user: {client-certificate-data: {{TestCertificates.Base64(TestCertificates.ClientCertificatePem)}} }
            contexts:
            - {name: x, context: {cluster: c, user: u} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("client-certificate but no client-key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MismatchedCertificateAndKey_Throws()
    {
        // Arrange
        var path = _dir.Write("config", $$"""
            clusters:
            - {name: c, cluster: {server: "https://api.example"} }
            users:
            - name: u
              user:
                client-certificate-data: {{TestCertificates.Base64(TestCertificates.ClientCertificatePem)}}
                client-key-data: {{TestCertificates.Base64(TestCertificates.OtherKeyPem)}}
            contexts:
            - {name: x, context: {cluster: c, user: u} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("user 'u'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PEM pair", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReferencedFileMissing_ThrowsNamingResolvedPath()
    {
        // Arrange
        var path = _dir.Write("kube/config", """
            clusters:
            - {name: c, cluster: {server: "https://api.example", certificate-authority: ca.crt} }
            contexts:
            - {name: x, context: {cluster: c} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains($"'{Path.Join(_dir.Path, "kube", "ca.crt")}' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CaDataNotACertificate_Throws()
    {
        // Arrange
        var path = _dir.Write("config", $$"""
            clusters:
            - name: c
              cluster: {server: "https://api.example", certificate-authority-data: {{TestCertificates.Base64("hello")}} }
            contexts:
            - {name: x, context: {cluster: c} }
            current-context: x
            """);

        // Act
        var ex = LoadFails(path);

        // Assert
        Assert.Contains("no PEM certificate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralFiles_MergesWithFirstDefinitionWinning()
    {
        // Arrange
        var first = _dir.Write("one/config", """
            clusters:
            - {name: shared, cluster: {server: "https://first.example"} }
            contexts:
            - {name: x, context: {cluster: shared, user: u} }
            """);
        _dir.Write("two/token", "second-token");
        var second = _dir.Write("two/config", """
            clusters:
            - {name: shared, cluster: {server: "https://second.example"} }
            users:
            - {name: u, user: {tokenFile: token} }
            contexts:
            - {name: x, context: {cluster: other} }
            current-context: x
            """);

        // Act
        var settings = KubeconfigLoader.Load(first + Path.PathSeparator + second, null);

        // Assert
        Assert.Equal(new Uri("https://first.example"), settings.Url);
        Assert.Equal(Path.Join(_dir.Path, "two", "token"), settings.BearerTokenFile);
    }

    private const string TwoContexts = """
        clusters:
        - {name: a, cluster: {server: "https://a.example"} }
        - {name: b, cluster: {server: "https://b.example"} }
        contexts:
        - {name: b, context: {cluster: b} }
        - {name: a, context: {cluster: a} }
        current-context: a
        """;

    private static void AssertOneLine(Exception ex) =>
        Assert.DoesNotContain('\n', ex.Message);

    /// <summary>Loads <paramref name="path"/> expecting a configuration error with a one-line message.</summary>
    private static ApiCacheConfigurationException LoadFails(string path, string? context = null)
    {
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => KubeconfigLoader.Load(path, context));
        AssertOneLine(ex);
        return ex;
    }
}
