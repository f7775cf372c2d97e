namespace ApiCache.Configuration;

/// <summary>
/// Where the upstream kube-apiserver(s) are. Exactly one source must be set: an explicit list of
/// <see cref="Servers"/>, a <see cref="Kubeconfig"/> file, or <see cref="InCluster"/>.
/// </summary>
public sealed class UpstreamOptions
{
    /// <summary>Explicit apiserver endpoints, each with its own credentials.</summary>
    public IList<UpstreamServerOptions> Servers { get; init; } = new List<UpstreamServerOptions>();

    /// <summary>Path of a kubeconfig file to take the server and credentials from.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use; the file's <c>current-context</c> when empty.</summary>
    public string? Context { get; set; }

    /// <summary>
    /// Use the pod's service account: <c>KUBERNETES_SERVICE_HOST</c>/<c>KUBERNETES_SERVICE_PORT</c>,
    /// the token (re-read as it rotates) and the CA bundle under <see cref="ServiceAccountDirectory"/>.
    /// </summary>
    public bool InCluster { get; set; }

    /// <summary>Where the service account files are mounted in a pod.</summary>
    public string ServiceAccountDirectory { get; set; } = "/var/run/secrets/kubernetes.io/serviceaccount";
}
