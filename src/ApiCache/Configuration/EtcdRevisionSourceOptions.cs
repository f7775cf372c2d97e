namespace ApiCache.Configuration;

/// <summary>The etcd cluster behind the upstream apiservers, for <see cref="RevisionSourceKind.Etcd"/>.</summary>
public sealed class EtcdRevisionSourceOptions
{
    /// <summary>etcd client URLs, e.g. <c>https://127.0.0.1:2379</c>.</summary>
    public IList<string> Endpoints { get; init; } = new List<string>();

    /// <summary>The CA bundle that signed etcd's serving certificate (PEM); empty: the system roots.</summary>
    public string? CaFile { get; set; }

    /// <summary>The client certificate presented to etcd (PEM).</summary>
    public string? CertFile { get; set; }

    /// <summary>The client certificate's key (PEM).</summary>
    public string? KeyFile { get; set; }

    /// <summary>The apiserver's <c>--etcd-prefix</c>; resources live under <c>&lt;prefix&gt;/&lt;resource&gt;/</c> (with the apiserver's exceptions).</summary>
    public string KeyPrefix { get; set; } = "/registry";

    /// <summary>How long one revision lookup may take before the read falls back.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
