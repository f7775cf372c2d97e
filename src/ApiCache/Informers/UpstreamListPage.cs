using System.Buffers;

namespace ApiCache.Informers;

/// <summary>
/// One page of an upstream LIST: the list's type and metadata, and each item as a slice of the
/// response body (not copied, not re-serialized). The body may live in a pooled buffer that
/// <see cref="Dispose"/> returns, so decode (copy) the items before disposing the page.
/// </summary>
internal sealed class UpstreamListPage : IDisposable
{
    private byte[]? _pooledBuffer;

    /// <summary>Creates a page.</summary>
    /// <param name="kind">The list's <c>kind</c>, e.g. <c>PodList</c>.</param>
    /// <param name="apiVersion">The list's <c>apiVersion</c>.</param>
    /// <param name="resourceVersion">The list's <c>metadata.resourceVersion</c>.</param>
    /// <param name="continueToken">The list's <c>metadata.continue</c>; null when this is the last page.</param>
    /// <param name="remainingItemCount">The list's <c>metadata.remainingItemCount</c>, when sent.</param>
    /// <param name="items">The raw JSON of each item, in list order.</param>
    /// <param name="itemsCarryTypeMeta">Whether the items carry <c>kind</c> and <c>apiVersion</c>; null when the page is empty.</param>
    /// <param name="pooledBuffer">The <see cref="ArrayPool{T}.Shared"/> buffer <paramref name="items"/> point into, returned on dispose; null when not pooled.</param>
    public UpstreamListPage(
        string kind,
        string apiVersion,
        long resourceVersion,
        string? continueToken,
        long? remainingItemCount,
        IReadOnlyList<ReadOnlyMemory<byte>> items,
        bool? itemsCarryTypeMeta,
        byte[]? pooledBuffer)
    {
        Kind = kind;
        ApiVersion = apiVersion;
        ResourceVersion = resourceVersion;
        Continue = continueToken;
        RemainingItemCount = remainingItemCount;
        Items = items;
        ItemsCarryTypeMeta = itemsCarryTypeMeta;
        _pooledBuffer = pooledBuffer;
    }

    /// <summary>The list's <c>kind</c>, e.g. <c>PodList</c> or <c>WidgetList</c>.</summary>
    public string Kind { get; }

    /// <summary>The list's <c>apiVersion</c>, e.g. <c>v1</c> or <c>example.com/v1</c>.</summary>
    public string ApiVersion { get; }

    /// <summary>The revision the list was read at (<c>metadata.resourceVersion</c>).</summary>
    public long ResourceVersion { get; }

    /// <summary>The token for the next page; null on the last page.</summary>
    public string? Continue { get; }

    /// <summary><c>metadata.remainingItemCount</c>, when the upstream sent it.</summary>
    public long? RemainingItemCount { get; }

    /// <summary>The raw UTF-8 JSON of each item; valid until the page is disposed.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Items { get; }

    /// <summary>Whether items carry <c>kind</c>/<c>apiVersion</c> (custom resources do); null for an empty page.</summary>
    public bool? ItemsCarryTypeMeta { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _pooledBuffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
