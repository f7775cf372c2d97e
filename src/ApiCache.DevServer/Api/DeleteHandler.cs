using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.Requests;
using ApiCache.Serving;

namespace ApiCache.DevServer.Api;

/// <summary>
/// DELETE of one object (with DeleteOptions preconditions) and of a collection (with selectors).
/// Deletion is immediate: there are no kubelets to finish a graceful pod deletion. Pods answer
/// with the deleted object, other kinds with a Status Success naming it, as the apiserver does.
/// </summary>
internal sealed class DeleteHandler(ResourceStore objects)
{
    private const int Attempts = 5;

    /// <summary>Serves DELETE of one object.</summary>
    public async Task HandleAsync(ResourceRequest request)
    {
        var context = request.Context;
        var (body, tooLarge) = await RequestBody.ReadAsync(context.Request, request.Aborted);
        if (body is null)
        {
            await ApiResponses.WriteErrorAsync(context, tooLarge!);
            return;
        }

        string? uidPrecondition = null;
        string? rvPrecondition = null;
        if (body.Length > 0)
        {
            try
            {
                var options = JsonNode.Parse(body) as JsonObject;
                uidPrecondition = options?["preconditions"]?["uid"]?.GetValue<string>();
                rvPrecondition = options?["preconditions"]?["resourceVersion"]?.GetValue<string>();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.BadRequest($"the DeleteOptions in the request body are not valid JSON: {e.Message}"));
                return;
            }
        }

        for (var attempt = 0; ; attempt++)
        {
            var (current, _) = await objects.GetAsync(request.Resource, request.NamespaceOrNull, request.Name, 0, request.Aborted);
            if (current is null)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.NotFound(request.Resource.Group, request.Resource.Resource, request.Name));
                return;
            }

            var node = current.ToNode();
            var uid = ObjectFields.Metadata(node, "uid");
            if (uidPrecondition is not null && uidPrecondition != uid)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.Conflict(request.Resource.Group, request.Resource.Resource, request.Name,
                    $"Precondition failed: UID in precondition: {uidPrecondition}, UID in object meta: {uid}"));
                return;
            }

            var rv = current.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (rvPrecondition is not null && rvPrecondition != rv)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.Conflict(request.Resource.Group, request.Resource.Resource, request.Name,
                    $"the ResourceVersion in the precondition ({rvPrecondition}) does not match the ResourceVersion in record ({rv}). The object might have been modified"));
                return;
            }

            if (DryRun.Requested(context.Request))
            {
                await WriteDeletedAsync(request, current, uid);
                return;
            }

            var result = await objects.Store.DeleteAsync(request.Key, current.ResourceVersion, request.Aborted);
            if (result.Succeeded)
            {
                await WriteDeletedAsync(request, current, uid);
                return;
            }

            if (attempt == Attempts - 1)
            {
                await ApiResponses.WriteErrorAsync(context, UpdateHandler.Conflict(request));
                return;
            }
        }
    }

    /// <summary>Serves DELETE of a collection: deletes every object the selectors match and answers the list of them.</summary>
    public async Task HandleCollectionAsync(ResourceRequest request)
    {
        var context = request.Context;
        var options = ListOptionsParser.Parse(context.Request.Query, out var invalid);
        var filter = options is null ? null : ObjectFilter.Create(options, request.Resource, out invalid);
        if (filter is null)
        {
            await ApiResponses.WriteErrorAsync(context, invalid!);
            return;
        }

        var page = await objects.ListAsync(request.Resource, request.CollectionPrefix, 0, null, 0, filter.AsPredicate(), request.Aborted);
        var deleted = new List<StoredObject>();
        var revision = page.Revision;
        foreach (var item in page.Items)
        {
            if (DryRun.Requested(context.Request))
            {
                deleted.Add(item);
                continue;
            }

            var result = await objects.Store.DeleteAsync(item.KeyValue.Key, null, request.Aborted);
            if (result.Succeeded)
            {
                deleted.Add(new StoredObject(request.Resource, result.KeyValue!));
                revision = Math.Max(revision, result.Revision);
            }
        }

        await ListWriter.WriteAsync(context, request.Resource, deleted, revision, null, null);
    }

    private static Task WriteDeletedAsync(ResourceRequest request, StoredObject deleted, string? uid) =>
        request.Resource is { Unstructured: false, Resource: "pods" }
            ? ApiResponses.WriteJsonAsync(request.Context, 200, deleted.ToJson())
            : ApiResponses.WriteJsonAsync(request.Context, 200, SuccessStatus(request.Resource, request.Name, uid));

    /// <summary><c>{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":..,"group":..,"kind":..,"uid":..}}</c>.</summary>
    private static byte[] SuccessStatus(ResourceDefinition resource, string name, string? uid)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", "Status");
            json.WriteString("apiVersion", "v1");
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            json.WriteString("status", "Success");
            json.WriteStartObject("details");
            json.WriteString("name", name);
            if (resource.Group.Length > 0)
            {
                json.WriteString("group", resource.Group);
            }

            json.WriteString("kind", resource.Resource);
            if (uid is not null)
            {
                json.WriteString("uid", uid);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
