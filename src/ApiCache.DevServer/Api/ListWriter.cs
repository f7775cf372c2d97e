using System.Buffers;
using System.Globalization;
using System.Text;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Api;

/// <summary>
/// Writes a list answer the way the apiserver does: built-in kinds as
/// <c>{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"R","continue":"..","remainingItemCount":N},"items":[..]}</c>
/// with items lacking kind/apiVersion; unstructured kinds with every key sorted, items keeping
/// kind/apiVersion and <c>"continue":""</c> always present.
/// </summary>
internal static class ListWriter
{
    /// <summary>The list document (without trailing newline).</summary>
    public static byte[] Write(ResourceDefinition resource, IReadOnlyList<StoredObject> items, long revision, string? continueToken, long? remaining)
    {
        var output = new ArrayBufferWriter<byte>(256 + (items.Count * 1024));
        var rv = revision.ToString(CultureInfo.InvariantCulture);
        if (resource.Unstructured)
        {
            Append(output, $"{{\"apiVersion\":\"{resource.GroupVersion}\",\"items\":[");
            WriteItems(output, resource, items);
            Append(output, $"],\"kind\":\"{resource.ListKind}\",\"metadata\":{{\"continue\":\"{continueToken}\",");
            if (remaining is long count)
            {
                Append(output, $"\"remainingItemCount\":{count.ToString(CultureInfo.InvariantCulture)},");
            }

            Append(output, $"\"resourceVersion\":\"{rv}\"}}}}");
        }
        else
        {
            Append(output, $"{{\"kind\":\"{resource.ListKind}\",\"apiVersion\":\"{resource.GroupVersion}\",\"metadata\":{{\"resourceVersion\":\"{rv}\"");
            if (continueToken is not null)
            {
                Append(output, $",\"continue\":\"{continueToken}\"");
            }

            if (remaining is long count)
            {
                Append(output, $",\"remainingItemCount\":{count.ToString(CultureInfo.InvariantCulture)}");
            }

            Append(output, "},\"items\":[");
            WriteItems(output, resource, items);
            Append(output, "]}");
        }

        return output.WrittenSpan.ToArray();
    }

    private static void WriteItems(ArrayBufferWriter<byte> output, ResourceDefinition resource, IReadOnlyList<StoredObject> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                output.Write(","u8);
            }

            ObjectCodec.WriteStamped(output, items[i].KeyValue.Value, items[i].ResourceVersion, resource, listItem: true);
        }
    }

    private static void Append(ArrayBufferWriter<byte> output, string text) => output.Write(Encoding.UTF8.GetBytes(text));
}
