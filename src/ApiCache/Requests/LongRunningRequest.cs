namespace ApiCache.Requests;

/// <summary>
/// Which requests are long-running, by the apiserver's default rule: the verbs <c>watch</c> and
/// <c>proxy</c>, and the subresources <c>attach</c>, <c>exec</c>, <c>proxy</c>, <c>log</c> and
/// <c>portforward</c>. They hold a connection open for as long as the client wants, so they are
/// ended rather than waited for at shutdown (their clients reconnect), and they are counted apart
/// from ordinary requests by in-flight limits.
/// </summary>
internal static class LongRunningRequest
{
    /// <summary>Whether <paramref name="info"/> describes a long-running request.</summary>
    public static bool Is(KubernetesRequestInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return info.IsResourceRequest
            && (info.Verb is "watch" or "proxy"
                || info.Subresource is "attach" or "exec" or "proxy" or "log" or "portforward");
    }
}
