using ApiCache.Consistency;
using ApiCache.DevServer.Configuration;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// The exact revision source of the dev server with ApiCache embedded: a consistent read of a
/// resource waits for the last revision at or before the store's current one that changed a key
/// under the resource's etcd key prefix (<see cref="RevisionTarget.WaitFor"/>), and may then
/// answer at the current revision (<see cref="RevisionTarget.Current"/>), with no request to any
/// upstream. Exact only while this process is the only writer of its store (see
/// <see cref="ResourceWriteTracker"/>); otherwise a read may miss another writer's changes.
/// </summary>
internal sealed class DevServerRevisionSource(ResourceWriteTracker tracker, IOptions<DevServerOptions> options) : IRevisionSource
{
    /// <inheritdoc/>
    public ValueTask<RevisionTarget> GetTargetAsync(CachedResourceReference resource, long cachedRevision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return tracker.GetTargetAsync(ToStoreLayout(resource.EtcdKeyPrefix, options.Value.EtcdKeyPrefix), cancellationToken);
    }

    /// <summary>
    /// The key prefix as the dev server's store sees keys: the etcd store puts
    /// <see cref="DevServerOptions.EtcdKeyPrefix"/> before every key, so a prefix given as it lies
    /// in etcd (<c>/dev-1/registry/pods/</c>) loses it; one in the apiserver's layout
    /// (<c>/registry/pods/</c>, what the catalog uses) is kept.
    /// </summary>
    internal static string ToStoreLayout(string etcdKeyPrefix, string storeKeyPrefix)
    {
        ArgumentNullException.ThrowIfNull(etcdKeyPrefix);
        if (!string.IsNullOrEmpty(storeKeyPrefix)
            && etcdKeyPrefix.Length > storeKeyPrefix.Length
            && etcdKeyPrefix.StartsWith(storeKeyPrefix, StringComparison.Ordinal)
            && (etcdKeyPrefix[storeKeyPrefix.Length] == '/' || storeKeyPrefix.EndsWith('/')))
        {
            var rest = etcdKeyPrefix[storeKeyPrefix.Length..];
            return rest.StartsWith('/') ? rest : "/" + rest;
        }

        return etcdKeyPrefix;
    }
}
