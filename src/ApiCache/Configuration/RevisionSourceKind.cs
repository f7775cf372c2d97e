namespace ApiCache.Configuration;

/// <summary>Where consistent reads learn the current revision.</summary>
public enum RevisionSourceKind
{
    /// <summary>A coalesced <c>GET &lt;collection&gt;?limit=1</c> to the upstream: inexact, so reads may wait or fall back.</summary>
    QuorumProbe,

    /// <summary>etcd itself (a sidecar beside kube-apiserver with etcd client credentials): exact.</summary>
    Etcd,
}
