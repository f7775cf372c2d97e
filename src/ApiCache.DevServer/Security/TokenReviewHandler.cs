using System.Text.Json.Nodes;
using ApiCache.DevServer.Api;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// POST tokenreviews (fixtures 09-tokenreview-*): looks the token up in the policy and answers 201
/// with <c>status.authenticated</c>, the user and the audiences, or <c>"status":{"user":{},"error":"invalid bearer token"}</c>.
/// Static tokens are audience-agnostic, as in the apiserver: they are valid for the API audience,
/// and for requested audiences only when those include it.
/// </summary>
internal sealed class TokenReviewHandler(DevServerSecurity security, TimeProvider time)
{
    /// <summary>The apiserver's audience (its default service account issuer).</summary>
    public const string ApiAudience = "https://kubernetes.default.svc.cluster.local";

    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var resource = ReviewResources.TokenReviews;
        var (review, error) = await ReviewResources.ReadAsync(context, resource);
        if (review is null)
        {
            await ApiResponses.WriteErrorAsync(context, error!);
            return;
        }

        string token;
        List<string> audiences;
        try
        {
            var spec = ReviewJson.Object(review, "spec", "spec", "TokenReviewSpec") ?? [];
            token = ReviewJson.String(spec, "token", "spec");
            audiences = ReviewJson.Strings(spec, "audiences", "spec");
        }
        catch (FormatException e)
        {
            await ApiResponses.WriteErrorAsync(context, ReviewResources.DecodeError(resource, e));
            return;
        }

        if (token.Length == 0)
        {
            await ApiResponses.WriteErrorAsync(context, StatusError.BadRequest("token is required for TokenReview in authentication"));
            return;
        }

        var normalized = new JsonObject { ["token"] = token };
        if (audiences.Count > 0)
        {
            normalized["audiences"] = new JsonArray([.. audiences.Select(a => (JsonNode?)a)]);
        }

        var valid = audiences.Count == 0 || audiences.Contains(ApiAudience);
        var status = security.Policy.Tokens.TryGetValue(token, out var user) && valid
            ? new JsonObject
            {
                ["authenticated"] = true,
                ["user"] = ReviewJson.User(user),
                ["audiences"] = new JsonArray(ApiAudience),
            }
            : new JsonObject { ["user"] = new JsonObject(), ["error"] = "invalid bearer token" };
        var answer = new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.GroupVersion,
            ["metadata"] = new JsonObject { ["managedFields"] = ReviewJson.ManagedFields(context.Request, resource.GroupVersion, normalized, time.GetUtcNow()) },
            ["spec"] = normalized.DeepClone(),
            ["status"] = status,
        };
        await ApiResponses.WriteJsonAsync(context, 201, ReviewJson.ToBytes(answer));
    }
}
