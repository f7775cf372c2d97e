using ApiCache.DevServer.Objects;
using ApiCache.Requests;
using ApiCache.Serving;

namespace ApiCache.DevServer.Api;

/// <summary>GET of one object: resourceVersion unset or "0" reads the latest, "N" waits until the store has reached N.</summary>
internal sealed class GetHandler(ResourceStore objects, RevisionGate gate)
{
    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(ResourceRequest request)
    {
        var context = request.Context;
        var text = context.Request.Query["resourceVersion"].ToString();
        if (text.Length > 0)
        {
            if (!ListOptionsParser.TryParseResourceVersion(text, out var rv, out var invalid))
            {
                await ApiResponses.WriteErrorAsync(context, invalid!);
                return;
            }

            if (rv > 0 && await gate.WaitForAsync((long)rv, request.Aborted) is StatusError tooLarge)
            {
                await ApiResponses.WriteErrorAsync(context, tooLarge);
                return;
            }
        }

        var (found, _) = await objects.GetAsync(request.Resource, request.NamespaceOrNull, request.Name, 0, request.Aborted);
        if (found is null)
        {
            await ApiResponses.WriteErrorAsync(context, StatusError.NotFound(request.Resource.Group, request.Resource.Resource, request.Name));
            return;
        }

        await ApiResponses.WriteJsonAsync(context, 200, found.ToJson());
    }
}
