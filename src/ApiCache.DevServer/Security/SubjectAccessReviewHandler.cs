using System.Text.Json.Nodes;
using ApiCache.DevServer.Api;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// POST subjectaccessreviews and selfsubjectaccessreviews (fixtures 09-sar-*,
/// 09-selfsubjectaccessreview-alice): validates the spec (422 as the apiserver words it), asks the
/// dev server's authorizer chain about the spec's user (or, for the self review, the caller) and
/// answers 201 with the spec echoed and <c>status{allowed[,denied][,reason][,evaluationError]}</c>.
/// </summary>
internal sealed class SubjectAccessReviewHandler(DevServerSecurity security, TimeProvider time)
{
    /// <summary>Serves the request; <paramref name="self"/> for a SelfSubjectAccessReview.</summary>
    public async Task HandleAsync(HttpContext context, bool self)
    {
        var resource = self ? ReviewResources.SelfSubjectAccessReviews : ReviewResources.SubjectAccessReviews;
        var (review, error) = await ReviewResources.ReadAsync(context, resource);
        if (review is null)
        {
            await ApiResponses.WriteErrorAsync(context, error!);
            return;
        }

        AccessReviewSpec spec;
        try
        {
            spec = AccessReviewSpec.Read(review, self);
        }
        catch (FormatException e)
        {
            await ApiResponses.WriteErrorAsync(context, ReviewResources.DecodeError(resource, e));
            return;
        }

        var errors = spec.Validate(self);
        if (errors.Count > 0)
        {
            // The apiserver validates the internal object, whose kind is empty: `.authorization.k8s.io "" is invalid: ...`.
            await ApiResponses.WriteErrorAsync(context, StatusError.Invalid("", resource.Group, "", errors) with { DetailsKind = null });
            return;
        }

        var user = self ? DevServerSecurity.Caller(context) : spec.Subject();
        var decision = await security.Authorizer.AuthorizeAsync(security.Policy, spec.Attributes(user), context.RequestAborted);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Denied)
        {
            status["denied"] = true;
        }

        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        if (decision.EvaluationError.Length > 0)
        {
            status["evaluationError"] = decision.EvaluationError;
        }

        var answer = new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.GroupVersion,
            ["metadata"] = new JsonObject { ["managedFields"] = ReviewJson.ManagedFields(context.Request, resource.GroupVersion, spec.Normalized, time.GetUtcNow()) },
            ["spec"] = spec.Normalized.DeepClone(),
            ["status"] = status,
        };
        await ApiResponses.WriteJsonAsync(context, 201, ReviewJson.ToBytes(answer));
    }
}
