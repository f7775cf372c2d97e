using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApiCache.DevServer.Resources;
using ApiCache.Serving;

namespace ApiCache.DevServer.Objects;

/// <summary>
/// What the apiserver does to an object before it is stored: on create it checks kind, namespace
/// and name, fills in uid, creationTimestamp and generation, and resets what clients may not set;
/// on update it keeps what may not change (uid, creationTimestamp, and status or everything but
/// status, depending on the subresource) and bumps generation when the spec changed.
/// </summary>
internal sealed partial class ObjectPreparer(TimeProvider time)
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>Resources whose metadata.generation the apiserver maintains.</summary>
    private static readonly HashSet<string> GenerationResources = ["pods", "deployments"];

    /// <summary>The current time as the apiserver writes timestamps (RFC 3339, seconds, UTC).</summary>
    public string Now() => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Prepares <paramref name="obj"/> for creation in <paramref name="requestNamespace"/>; returns the error to answer, if any.</summary>
    public StatusError? PrepareCreate(JsonObject obj, ResourceDefinition resource, string requestNamespace)
    {
        if (CheckTypeMeta(obj, resource) is StatusError typeError)
        {
            return typeError;
        }

        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        if (resource.Namespaced)
        {
            var bodyNamespace = ObjectFields.Metadata(obj, "namespace");
            if (string.IsNullOrEmpty(bodyNamespace))
            {
                metadata["namespace"] = requestNamespace;
            }
            else if (bodyNamespace != requestNamespace)
            {
                return StatusError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
        }
        else
        {
            metadata.Remove("namespace");
        }

        var name = ObjectFields.Metadata(obj, "name");
        var generateName = ObjectFields.Metadata(obj, "generateName");
        if (string.IsNullOrEmpty(name))
        {
            if (string.IsNullOrEmpty(generateName))
            {
                return StatusError.Invalid(resource.Kind, resource.Group, "",
                    [new FieldError(FieldErrorType.Required, "metadata.name", "name or generateName is required")]);
            }

            metadata["name"] = GenerateName(generateName);
        }

        var errors = Validate(obj, resource);
        if (errors.Count > 0)
        {
            return StatusError.Invalid(resource.Kind, resource.Group, ObjectFields.Metadata(obj, "name") ?? "", errors);
        }

        foreach (var field in (ReadOnlySpan<string>)["resourceVersion", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields"])
        {
            metadata.Remove(field);
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Now();
        if (HasGeneration(resource))
        {
            metadata["generation"] = 1;
        }
        else
        {
            metadata.Remove("generation");
        }

        ResourceDefaults.ApplyOnCreate(obj, resource);
        return null;
    }

    /// <summary>
    /// Prepares <paramref name="updated"/> to replace <paramref name="current"/>; for the status
    /// subresource the result keeps everything of <paramref name="current"/> but status. Returns
    /// the error to answer, if any.
    /// </summary>
    public static StatusError? PrepareUpdate(JsonObject updated, JsonObject current, ResourceDefinition resource, bool statusSubresource, string urlName, string urlNamespace)
    {
        if (CheckTypeMeta(updated, resource) is StatusError typeError)
        {
            return typeError;
        }

        var metadata = updated["metadata"] as JsonObject ?? [];
        updated["metadata"] = metadata;
        var name = ObjectFields.Metadata(updated, "name");
        if (string.IsNullOrEmpty(name))
        {
            metadata["name"] = urlName;
        }
        else if (name != urlName)
        {
            return StatusError.BadRequest($"the name of the object ({name}) does not match the name on the URL ({urlName})");
        }

        if (resource.Namespaced)
        {
            var bodyNamespace = ObjectFields.Metadata(updated, "namespace");
            if (string.IsNullOrEmpty(bodyNamespace))
            {
                metadata["namespace"] = urlNamespace;
            }
            else if (bodyNamespace != urlNamespace)
            {
                return StatusError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
        }

        var currentMetadata = (JsonObject)current["metadata"]!;
        if (statusSubresource)
        {
            // Only status changes; metadata and spec stay as stored.
            var status = updated["status"]?.DeepClone();
            foreach (var (key, value) in current)
            {
                updated[key] = value?.DeepClone();
            }

            foreach (var key in updated.Select(p => p.Key).Where(k => current[k] is null && k != "status").ToList())
            {
                updated.Remove(key);
            }

            if (status is null)
            {
                updated.Remove("status");
            }
            else
            {
                updated["status"] = status;
            }

            ResourceDefaults.ApplyOnUpdate(updated, current, resource);
            return null;
        }

        foreach (var field in (ReadOnlySpan<string>)["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"])
        {
            if (currentMetadata[field] is JsonNode value)
            {
                metadata[field] = value.DeepClone();
            }
            else
            {
                metadata.Remove(field);
            }
        }

        metadata.Remove("managedFields");
        if (resource.HasStatus)
        {
            if (current["status"] is JsonNode status)
            {
                updated["status"] = status.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }
        }

        var errors = Validate(updated, resource);
        if (errors.Count > 0)
        {
            return StatusError.Invalid(resource.Kind, resource.Group, urlName, errors);
        }

        ResourceDefaults.ApplyOnUpdate(updated, current, resource);
        if (HasGeneration(resource) && SpecChanged(updated, current))
        {
            metadata["generation"] = (currentMetadata["generation"]?.GetValue<long>() ?? 0) + 1;
        }

        return null;
    }

    private static bool HasGeneration(ResourceDefinition resource) => resource.Unstructured || GenerationResources.Contains(resource.Resource);

    /// <summary>True when anything but metadata and status differs (what bumps generation).</summary>
    private static bool SpecChanged(JsonObject updated, JsonObject current)
    {
        var keys = updated.Select(p => p.Key).Union(current.Select(p => p.Key)).Where(k => k is not ("metadata" or "status" or "kind" or "apiVersion"));
        return keys.Any(k => !JsonNode.DeepEquals(updated[k], current[k]));
    }

    /// <summary>
    /// Checks the body's apiVersion and kind against <paramref name="resource"/> (either may be
    /// missing) and writes both first, in Go's order; returns the apiserver's 400 on a mismatch.
    /// </summary>
    internal static StatusError? CheckTypeMeta(JsonObject obj, ResourceDefinition resource)
    {
        var kind = obj["kind"]?.GetValue<string>();
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != resource.GroupVersion)
        {
            return StatusError.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.GroupVersion})");
        }

        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            return StatusError.BadRequest($"{kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        // Go's typed encoding writes kind before apiVersion; unstructured objects are sorted later.
        obj.Remove("kind");
        obj.Remove("apiVersion");
        var rest = obj.ToList();
        obj.Clear();
        obj["kind"] = resource.Kind;
        obj["apiVersion"] = resource.GroupVersion;
        foreach (var (key, value) in rest)
        {
            obj[key] = value;
        }

        return null;
    }

    private static List<FieldError> Validate(JsonObject obj, ResourceDefinition resource)
    {
        var errors = new List<FieldError>();
        var name = ObjectFields.Metadata(obj, "name") ?? "";
        var isLabel = resource.Resource is "namespaces";
        if (isLabel ? !(name.Length <= 63 && LabelPattern().IsMatch(name)) : !(name.Length <= 253 && SubdomainPattern().IsMatch(name)))
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "metadata.name", isLabel ? LabelMessage : SubdomainMessage, name));
        }

        if (resource.Resource == "pods" && resource.Group.Length == 0 && obj["spec"]?["containers"] is not JsonArray { Count: > 0 })
        {
            errors.Add(new FieldError(FieldErrorType.Required, "spec.containers", ""));
        }

        return errors;
    }

    private static string GenerateName(string prefix)
    {
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)];
        }

        return prefix + new string(suffix);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();
}
