using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// One <see cref="SecureCluster"/> with the real sidecar process in front of its dev server over
/// HTTPS (Authenticate mode, client CA, TokenReview, SubjectAccessReview, impersonation), shared by
/// the kubectl tests of a class; they only read.
/// </summary>
public sealed class KubectlSecurityFixture : IAsyncLifetime
{
    private SecureCluster? _cluster;
    private SidecarProcess? _sidecar;

    internal SecureCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    internal SidecarProcess Sidecar => _sidecar ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _cluster = await SecureCluster.StartAsync();
        _sidecar = await _cluster.StartSidecarAsync();
    }

    /// <summary>
    /// Writes a kubeconfig for the sidecar's HTTPS address trusting the test CA, with the bearer
    /// token or the client certificate of <paramref name="identity"/>; returns its path.
    /// </summary>
    internal string WriteKubeconfig(string directory, TestIdentity identity)
    {
        string user;
        if (identity.Certificate is { } certificate)
        {
            var (certificatePem, keyPem) = TestPki.ToPem(certificate);
            var certificateFile = Path.Join(directory, "client.crt");
            var keyFile = Path.Join(directory, "client.key");
            File.WriteAllText(certificateFile, certificatePem);
            File.WriteAllText(keyFile, keyPem);
            user = $"\n    client-certificate: {certificateFile}\n    client-key: {keyFile}";
        }
        else
        {
            user = identity.Token is null ? " {}" : $"\n    token: {identity.Token}";
        }

        var path = Path.Join(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: apicache
              cluster:
                server: {Sidecar.HttpsAddress!.GetLeftPart(UriPartial.Authority)}
                certificate-authority: {Cluster.CaFile}
            users:
            - name: caller
              user:{user}
            contexts:
            - name: apicache
              context:
                cluster: apicache
                user: caller
            current-context: apicache
            """);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
