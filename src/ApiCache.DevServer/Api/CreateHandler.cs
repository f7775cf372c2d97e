using System.Text.Json.Nodes;
using ApiCache.DevServer.Objects;
using ApiCache.Serving;

namespace ApiCache.DevServer.Api;

/// <summary>POST to a collection: create an object (generateName, 409 AlreadyExists, 404 for a missing namespace).</summary>
internal sealed class CreateHandler(ResourceStore objects, ObjectPreparer preparer, Resources.ResourceCatalog catalog)
{
    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(ResourceRequest request)
    {
        var context = request.Context;
        var (obj, error) = await ObjectBody.ReadAsync(context.Request, request.Resource, request.Aborted);
        if (obj is null)
        {
            await ApiResponses.WriteErrorAsync(context, error!);
            return;
        }

        if (preparer.PrepareCreate(obj, request.Resource, request.Namespace) is StatusError invalid)
        {
            await ApiResponses.WriteErrorAsync(context, invalid);
            return;
        }

        if (request.Resource.Namespaced && catalog.Find("", "v1", "namespaces") is { } namespaces)
        {
            var (ns, _) = await objects.GetAsync(namespaces, null, request.Namespace, 0, request.Aborted);
            if (ns is null)
            {
                await ApiResponses.WriteErrorAsync(context, StatusError.NotFound("", "namespaces", request.Namespace));
                return;
            }
        }

        if (DryRun.Requested(context.Request))
        {
            await ApiResponses.WriteJsonAsync(context, 201, ObjectCodec.Stamped(ObjectCodec.ToStored(obj, request.Resource), 0, request.Resource));
            return;
        }

        var generated = string.IsNullOrEmpty(ObjectFields.Metadata(obj, "generateName")) ? 0 : 5;
        while (true)
        {
            var name = ObjectFields.Metadata(obj, "name")!;
            var key = request.Resource.KeyFor(request.NamespaceOrNull, name);
            var result = await objects.Store.CreateAsync(key, ObjectCodec.ToStored(obj, request.Resource), request.Aborted);
            if (result.Succeeded)
            {
                await ApiResponses.WriteJsonAsync(context, 201, new StoredObject(request.Resource, result.KeyValue!).ToJson());
                return;
            }

            if (generated-- > 0)
            {
                // A generated name collided: draw another, as the apiserver's retry does.
                ((JsonObject)obj["metadata"]!).Remove("name");
                preparer.PrepareCreate(obj, request.Resource, request.Namespace);
                continue;
            }

            await ApiResponses.WriteErrorAsync(context, StatusError.AlreadyExists(request.Resource.Group, request.Resource.Resource, name));
            return;
        }
    }
}
