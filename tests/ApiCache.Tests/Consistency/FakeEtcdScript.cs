using ApiCache.Consistency.Etcd.Protocol;

namespace ApiCache.Tests.Consistency;

/// <summary>What a <see cref="FakeEtcdServer"/> answers.</summary>
internal sealed class FakeEtcdScript
{
    /// <summary>The store revision every answer's header carries.</summary>
    public long Revision { get; set; } = 100;

    /// <summary>The version Status reports.</summary>
    public string Version { get; set; } = "3.5.17";

    /// <summary>The answers a watch sends right after <c>created</c>.</summary>
    public List<WatchResponse> History { get; } = [];

    /// <summary>How many progress requests go unanswered first.</summary>
    public int ProgressRequestsIgnored { get; set; }

    /// <summary>When set, unary calls fail at once with this gRPC status.</summary>
    public (int Status, string Message)? Failure { get; set; }
}
