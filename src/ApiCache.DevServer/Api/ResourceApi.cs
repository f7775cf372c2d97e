using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;
using ApiCache.Requests;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>
/// The REST surface of the dev API server: resolves <c>/api/v1/...</c> and <c>/apis/g/v/...</c>
/// paths the way the apiserver's RequestInfoFactory does and hands each verb to its handler;
/// anything not served answers the apiserver's 404 or 405 Status. With security on, the review
/// resources (TokenReview, SubjectAccessReview and the self reviews) are answered first.
/// </summary>
internal sealed class ResourceApi(
    ResourceCatalog catalog, GetHandler get, ListHandler list, WatchHandler watch, CreateHandler create, UpdateHandler update, DeleteHandler delete,
    Security.ReviewApi reviews)
{
    /// <summary>The apiserver's answer for a path it does not serve.</summary>
    public static readonly StatusError NotFoundError = new(404, "NotFound", "the server could not find the requested resource") { EmptyDetails = true };

    private static readonly StatusError MethodNotAllowed =
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource") { EmptyDetails = true };

    /// <summary>Serves one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["Audit-Id"] = Guid.NewGuid().ToString();
        var info = RequestInfoParser.Parse(context.Request);
        if (await reviews.TryHandleAsync(context, info))
        {
            return;
        }

        var resource = info.IsResourceRequest ? catalog.Find(info.ApiGroup, info.ApiVersion, info.Resource) : null;
        if (resource is null || (info.Subresource.Length > 0 && !(info.Subresource == "status" && resource.HasStatus)))
        {
            await ApiResponses.WriteErrorAsync(context, NotFoundError);
            return;
        }

        // For list and watch the parser fills Name from a metadata.name field selector (for
        // authorization); the object name is only the one in the path.
        var isCollectionVerb = info.Verb is "list" or "watch" or "create" or "deletecollection";
        var name = isCollectionVerb ? "" : info.Name;
        var @namespace = info.Namespace;
        if (resource.Resource == "namespaces")
        {
            @namespace = "";
        }
        else if (!resource.Namespaced && @namespace.Length > 0)
        {
            await ApiResponses.WriteErrorAsync(context, NotFoundError);
            return;
        }

        if (!ContentNegotiation.AcceptsJson(context.Request))
        {
            await ApiResponses.WriteErrorAsync(context, ContentNegotiation.NotAcceptable, indented: true);
            return;
        }

        var request = new ResourceRequest(context, resource, info.Verb, @namespace, name, info.Subresource);
        var handler = (info.Verb, request.Subresource.Length > 0) switch
        {
            ("get", _) => get.HandleAsync(request),
            ("list", false) => list.HandleAsync(request),
            ("watch", false) => watch.HandleAsync(request),
            ("create", false) when name.Length == 0 => create.HandleAsync(request),
            ("update" or "patch" or "delete", _) when name.Length == 0 => null,
            ("update", _) => update.HandleAsync(request, isPatch: false),
            ("patch", _) => update.HandleAsync(request, isPatch: true),
            ("delete", false) => delete.HandleAsync(request),
            ("deletecollection", false) => delete.HandleCollectionAsync(request),
            _ => null,
        };

        try
        {
            await (handler ?? ApiResponses.WriteErrorAsync(context, MethodNotAllowed));
        }
        catch (StoreUnavailableException e)
        {
            // What the apiserver answers when etcd fails under a request; the process keeps serving.
            await ApiResponses.WriteErrorAsync(context, new StatusError(503, "ServiceUnavailable", $"storage is unavailable: {e.Message}"));
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            await ApiResponses.WriteErrorAsync(context, new StatusError(500, "InternalError", $"Internal error occurred: {e.Message}")
            {
                Causes = [new StatusCause("", e.Message)],
            });
        }
    }
}
