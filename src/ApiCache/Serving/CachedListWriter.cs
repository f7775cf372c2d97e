using System.Globalization;
using System.Text;
using ApiCache.Informers;
using ApiCache.Storage;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Serving;

/// <summary>
/// Writes a LIST answer from stored items, each copied byte for byte into the response:
/// built-in kinds as <c>{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"R","continue":"..","remainingItemCount":N},"items":[..]}</c>
/// (items without kind/apiVersion, as stored); custom resources as the apiserver's unstructured
/// lists: keys sorted, <c>metadata</c> last, <c>"continue":""</c> always present.
/// </summary>
internal static class CachedListWriter
{
    /// <summary>Writes the 200 answer.</summary>
    public static async Task WriteAsync(
        HttpContext context, ListTypeInfo type, bool unstructured, IReadOnlyList<CachedObject> items, long resourceVersion, string? continueToken, long? remainingItemCount)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(items);
        var head = Encoding.UTF8.GetBytes(Head(type.ListKind, type.ApiVersion, unstructured, resourceVersion, continueToken, remainingItemCount));
        var tail = Encoding.UTF8.GetBytes(Tail(type.ListKind, unstructured, resourceVersion, continueToken, remainingItemCount));
        long length = head.Length + tail.Length + Math.Max(0, items.Count - 1);
        for (var i = 0; i < items.Count; i++)
        {
            length += items[i].Json.Length;
        }

        var body = JsonResponseBody.Start(context, length);
        body.Write(head);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(items[i].Json);
            await body.FlushIfFullAsync();
        }

        body.Write(tail);
        await body.CompleteAsync();
    }

    /// <summary>Everything before the first item (shared with the dev API server, which writes lists the same way).</summary>
    public static string Head(string listKind, string apiVersion, bool unstructured, long resourceVersion, string? continueToken, long? remaining)
    {
        if (unstructured)
        {
            return $"{{\"apiVersion\":\"{apiVersion}\",\"items\":[";
        }

        var head = new StringBuilder(160).Append("{\"kind\":\"").Append(listKind).Append("\",\"apiVersion\":\"").Append(apiVersion)
            .Append("\",\"metadata\":{\"resourceVersion\":\"").Append(resourceVersion.ToString(CultureInfo.InvariantCulture)).Append('"');
        if (continueToken is not null)
        {
            head.Append(",\"continue\":\"").Append(continueToken).Append('"');
        }

        if (remaining is long count)
        {
            head.Append(",\"remainingItemCount\":").Append(count.ToString(CultureInfo.InvariantCulture));
        }

        return head.Append("},\"items\":[").ToString();
    }

    /// <summary>Everything after the last item (unstructured lists put their sorted metadata last).</summary>
    public static string Tail(string listKind, bool unstructured, long resourceVersion, string? continueToken, long? remaining)
    {
        if (!unstructured)
        {
            return "]}";
        }

        var tail = new StringBuilder(160).Append("],\"kind\":\"").Append(listKind).Append("\",\"metadata\":{\"continue\":\"").Append(continueToken).Append("\",");
        if (remaining is long count)
        {
            tail.Append("\"remainingItemCount\":").Append(count.ToString(CultureInfo.InvariantCulture)).Append(',');
        }

        return tail.Append("\"resourceVersion\":\"").Append(resourceVersion.ToString(CultureInfo.InvariantCulture)).Append("\"}}").ToString();
    }
}
