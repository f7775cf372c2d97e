using System.Text.Json.Nodes;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Patching;
using ApiCache.Serving;

namespace ApiCache.DevServer.Api;

/// <summary>
/// PUT and PATCH of one object (and of its status subresource), with optimistic concurrency: a
/// resourceVersion in the body must still be current (409 Conflict otherwise); without one the
/// update retries against the latest state, as the apiserver's GuaranteedUpdate does. An update
/// that changes nothing keeps the resourceVersion.
/// </summary>
internal sealed class UpdateHandler(ResourceStore objects)
{
    private const int Attempts = 5;

    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(ResourceRequest request, bool isPatch)
    {
        var context = request.Context;
        byte[]? patch = null;
        JsonObject? replacement = null;
        PatchType patchType = default;
        if (isPatch)
        {
            var type = PatchTypes.FromContentType(context.Request.ContentType, request.Resource);
            if (type is null)
            {
                await ApiResponses.WriteErrorAsync(context, PatchTypes.UnsupportedMediaType(request.Resource));
                return;
            }

            patchType = type.Value;
            var (body, tooLarge) = await RequestBody.ReadAsync(context.Request, request.Aborted);
            if (body is null)
            {
                await ApiResponses.WriteErrorAsync(context, tooLarge!);
                return;
            }

            patch = body;
        }
        else
        {
            var (obj, error) = await ObjectBody.ReadAsync(context.Request, request.Resource, request.Aborted);
            if (obj is null)
            {
                await ApiResponses.WriteErrorAsync(context, error!);
                return;
            }

            replacement = obj;
        }

        var dryRun = DryRun.Requested(context.Request);
        for (var attempt = 0; ; attempt++)
        {
            var (current, _) = await objects.GetAsync(request.Resource, request.NamespaceOrNull, request.Name, 0, request.Aborted);
            if (current is null)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.NotFound(request.Resource.Group, request.Resource.Resource, request.Name));
                return;
            }

            var currentNode = current.ToNode();
            JsonObject updated;
            if (patch is not null)
            {
                try
                {
                    updated = PatchApplier.Apply(patchType, request.Resource, currentNode, patch, context.Request.Query["fieldValidation"].ToString());
                }
                catch (PatchException e)
                {
                    await ApiResponses.WriteErrorAsync(context, e.Status);
                    return;
                }
            }
            else
            {
                updated = (JsonObject)replacement!.DeepClone();
            }

            var precondition = ObjectFields.ResourceVersion(updated, out var malformed);
            if (malformed)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.BadRequest("metadata.resourceVersion: Invalid value: the resourceVersion is not a number"));
                return;
            }

            // A resourceVersion in the body (or set by the patch) is a precondition. Without one a
            // patch carries the current resourceVersion, so the check passes and a lost race below
            // is retried against the new state; with one the retry finds it stale and answers 409.
            if (precondition is long expected && expected != current.ResourceVersion)
            {
                await ApiResponses.WriteErrorAsync(context, Conflict(request));
                return;
            }

            if (ObjectPreparer.PrepareUpdate(updated, currentNode, request.Resource, request.Subresource == "status", request.Name, request.Namespace) is StatusError invalid)
            {
                await ApiResponses.WriteErrorAsync(context, invalid);
                return;
            }

            var stored = ObjectCodec.ToStored(updated, request.Resource);
            if (dryRun || stored.AsSpan().SequenceEqual(current.KeyValue.Value))
            {
                // Dry run, or an update that changes nothing: the apiserver keeps the resourceVersion.
                await ApiResponses.WriteJsonAsync(context, 200, ObjectCodec.Stamped(stored, current.ResourceVersion, request.Resource));
                return;
            }

            var result = await objects.Store.UpdateAsync(request.Key, stored, current.ResourceVersion, request.Aborted);
            if (result.Succeeded)
            {
                await ApiResponses.WriteJsonAsync(context, 200, new StoredObject(request.Resource, result.KeyValue!).ToJson());
                return;
            }

            if (attempt == Attempts - 1)
            {
                await ApiResponses.WriteErrorAsync(context, Conflict(request));
                return;
            }
        }
    }

    /// <summary>The apiserver's 409 for a stale resourceVersion.</summary>
    internal static StatusError Conflict(ResourceRequest request) =>
        StatusError.Conflict(request.Resource.Group, request.Resource.Resource, request.Name,
            "the object has been modified; please apply your changes to the latest version and try again");
}
