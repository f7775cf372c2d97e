using System.Globalization;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Api;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>POST selfsubjectreviews (<c>kubectl auth whoami</c>, fixtures 09-selfsubjectreview-*): 201 with the caller's user info.</summary>
internal sealed class SelfSubjectReviewHandler(TimeProvider time)
{
    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var resource = ReviewResources.SelfSubjectReviews;
        var (review, error) = await ReviewResources.ReadAsync(context, resource);
        if (review is null)
        {
            await ApiResponses.WriteErrorAsync(context, error!);
            return;
        }

        var answer = new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.GroupVersion,
            ["metadata"] = new JsonObject
            {
                ["creationTimestamp"] = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            },
            ["status"] = new JsonObject { ["userInfo"] = ReviewJson.User(DevServerSecurity.Caller(context)) },
        };
        await ApiResponses.WriteJsonAsync(context, 201, ReviewJson.ToBytes(answer));
    }
}
