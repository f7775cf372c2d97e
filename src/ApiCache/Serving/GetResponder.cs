using System.Text;
using ApiCache.Consistency;
using ApiCache.Requests;
using ApiCache.Storage;

namespace ApiCache.Serving;

/// <summary>
/// GET of one object from the cache: resourceVersion unset is a consistent read (wait for the
/// current revision, else fall back), "0" reads the cache as it is, "N" waits until the cache has
/// reached N (else forwards: the upstream then waits or answers 504 itself). A missing object is
/// the apiserver's 404 (<c>pods "x" not found</c>). The stored item is sent with its kind and
/// apiVersion put back in front, as a single GET carries them.
/// </summary>
internal sealed class GetResponder(CacheReadMetrics metrics, ReadFallback fallback)
{
    /// <summary>Serves the GET.</summary>
    public async Task ServeAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var context = read.Context;
        var text = context.Request.Query["resourceVersion"].ToString();
        var path = ReadPath.CacheFresh;
        if (text.Length == 0)
        {
            if (await fallback.WaitForCurrentAsync(read) is not ReadPath fresh)
            {
                return;
            }

            path = fresh;
        }
        else
        {
            if (!ListOptionsParser.TryParseResourceVersion(text, out var requested, out var invalid))
            {
                await CacheAnswer.WriteErrorAsync(context, invalid!);
                return;
            }

            if (requested > 0)
            {
                if (await fallback.WaitForOrForwardAsync(read, (long)requested) is not ReadPath reached)
                {
                    return;
                }

                path = reached;
            }
        }

        var definition = read.Resource.Definition;
        var found = read.Resource.Cache.Get(new ObjectKey(read.Namespace ?? "", read.Info.Name));
        metrics.Read(read.DisplayName, "get", path);
        if (found is null)
        {
            await CacheAnswer.WriteErrorAsync(context, StatusError.NotFound(definition.Group, definition.Resource, read.Info.Name));
            return;
        }

        await WriteObjectAsync(context, read.Resource.Cache.TypeInfo!, found, definition.IsCustomResource);
    }

    /// <summary>Writes one stored object as a single GET answers it.</summary>
    private static async Task WriteObjectAsync(Microsoft.AspNetCore.Http.HttpContext context, Informers.ListTypeInfo type, CachedObject found, bool carriesTypeMeta)
    {
        var json = found.Json;
        if (carriesTypeMeta)
        {
            var whole = JsonResponseBody.Start(context, json.Length);
            whole.Write(json);
            await whole.CompleteAsync();
            return;
        }

        // Stored as a list item ({"metadata":...}): the object is {"kind":..,"apiVersion":.., + the rest.
        var prefix = Encoding.UTF8.GetBytes($"{{\"kind\":\"{type.Kind}\",\"apiVersion\":\"{type.ApiVersion}\",");
        var body = JsonResponseBody.Start(context, prefix.Length + json.Length - 1);
        body.Write(prefix);
        body.Write(json.AsSpan(1));
        await body.CompleteAsync();
    }
}
