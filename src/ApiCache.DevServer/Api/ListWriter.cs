using System.Buffers;
using System.Text;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>
/// Writes a list answer the way the apiserver does: built-in kinds as
/// <c>{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"R","continue":"..","remainingItemCount":N},"items":[..]}</c>
/// with items lacking kind/apiVersion; unstructured kinds with every key sorted, items keeping
/// kind/apiVersion and <c>"continue":""</c> always present. The body goes through ApiCache's
/// <see cref="JsonResponseBody"/> (indentation, Content-Length or chunked, gzip above 128 KiB),
/// item by item: a large list is streamed, not built in memory.
/// </summary>
internal static class ListWriter
{
    /// <summary>Answers 200 with the list.</summary>
    public static async Task WriteAsync(HttpContext context, ResourceDefinition resource, IReadOnlyList<StoredObject> items, long revision, string? continueToken, long? remaining)
    {
        var head = Encoding.UTF8.GetBytes(Head(resource, revision, continueToken, remaining));
        var tail = Encoding.UTF8.GetBytes(Tail(resource, revision, continueToken, remaining));
        long length = head.Length + tail.Length + Math.Max(0, items.Count - 1);
        for (var i = 0; i < items.Count; i++)
        {
            length += ObjectCodec.StampedLength(items[i].KeyValue.Value, items[i].ResourceVersion, resource, listItem: true);
        }

        var body = JsonResponseBody.Start(context, length);
        body.Write(head);
        var item = new ArrayBufferWriter<byte>(4096);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            item.ResetWrittenCount();
            ObjectCodec.WriteStamped(item, items[i].KeyValue.Value, items[i].ResourceVersion, resource, listItem: true);
            body.Write(item.WrittenSpan);
            await body.FlushIfFullAsync();
        }

        body.Write(tail);
        await body.CompleteAsync();
    }

    private static string Head(ResourceDefinition resource, long revision, string? continueToken, long? remaining) =>
        CachedListWriter.Head(resource.ListKind, resource.GroupVersion, resource.Unstructured, revision, continueToken, remaining);

    private static string Tail(ResourceDefinition resource, long revision, string? continueToken, long? remaining) =>
        CachedListWriter.Tail(resource.ListKind, resource.Unstructured, revision, continueToken, remaining);
}
