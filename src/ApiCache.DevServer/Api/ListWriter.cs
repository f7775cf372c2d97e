using System.Buffers;
using System.Text;
using ApiCache.Serving;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>
/// Writes a list answer the way the apiserver does: built-in kinds as
/// <c>{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"R","continue":"..","remainingItemCount":N},"items":[..]}</c>
/// with items lacking kind/apiVersion; unstructured kinds with every key sorted, items keeping
/// kind/apiVersion and <c>"continue":""</c> always present. Large lists are streamed item by item.
/// </summary>
internal static class ListWriter
{
    /// <summary>Flush to the client after this many bytes, so a large list is streamed, not built in memory.</summary>
    private const int FlushEvery = 64 * 1024;

    /// <summary>
    /// Answers 200 with the list: streamed (chunked, like the apiserver's large lists), or built
    /// whole when it is small or the client wants it indented.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, ResourceDefinition resource, IReadOnlyList<StoredObject> items, long revision, string? continueToken, long? remaining)
    {
        if (items.Count < 16 || ApiResponses.WantsPretty(context.Request))
        {
            var buffer = new ArrayBufferWriter<byte>(256 + (items.Count * 1024));
            var head = Head(resource, revision, continueToken, remaining);
            Append(buffer, head);
            for (var i = 0; i < items.Count; i++)
            {
                WriteItem(buffer, resource, items, i);
            }

            Append(buffer, Tail(resource, revision, continueToken, remaining));
            await ApiResponses.WriteJsonAsync(context, 200, buffer.WrittenMemory);
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.Headers.CacheControl = "no-cache, private";
        response.ContentType = "application/json";
        var output = response.BodyWriter;
        Append(output, Head(resource, revision, continueToken, remaining));
        for (var i = 0; i < items.Count; i++)
        {
            WriteItem(output, resource, items, i);
            if (output.UnflushedBytes >= FlushEvery)
            {
                await output.FlushAsync(context.RequestAborted);
            }
        }

        Append(output, Tail(resource, revision, continueToken, remaining) + "\n");
        await output.FlushAsync(context.RequestAborted);
    }

    private static void WriteItem(IBufferWriter<byte> output, ResourceDefinition resource, IReadOnlyList<StoredObject> items, int index)
    {
        if (index > 0)
        {
            output.Write(","u8);
        }

        ObjectCodec.WriteStamped(output, items[index].KeyValue.Value, items[index].ResourceVersion, resource, listItem: true);
    }

    private static string Head(ResourceDefinition resource, long revision, string? continueToken, long? remaining) =>
        CachedListWriter.Head(resource.ListKind, resource.GroupVersion, resource.Unstructured, revision, continueToken, remaining);

    private static string Tail(ResourceDefinition resource, long revision, string? continueToken, long? remaining) =>
        CachedListWriter.Tail(resource.ListKind, resource.Unstructured, revision, continueToken, remaining);

    private static void Append(IBufferWriter<byte> output, string text) => output.Write(Encoding.UTF8.GetBytes(text));
}
