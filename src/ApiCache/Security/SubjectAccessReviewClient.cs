using System.Buffers;
using System.Text.Json;

namespace ApiCache.Security;

/// <summary>
/// Asks the upstream whether a user may do something, with a SubjectAccessReview posted with
/// ApiCache's own credentials (<see cref="UpstreamReviewPoster"/>), in the shape the apiserver's
/// webhook authorizer sends: <c>spec.resourceAttributes</c> (selectors as requirements, only when
/// there are some) or <c>spec.nonResourceAttributes</c>, then user, groups, extra and uid, empty
/// values left out. Anything but a 201 with a readable status, or no answer within
/// <see cref="Timeout"/>, throws <see cref="AccessReviewUnavailableException"/>.
/// </summary>
internal sealed class SubjectAccessReviewClient(UpstreamReviewPoster poster) : IAccessReviewer
{
    /// <summary>Where SubjectAccessReviews are created.</summary>
    public const string Path = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

    /// <summary>How long one review may take before it counts as unavailable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public async ValueTask<AccessDecision> ReviewAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        int status;
        byte[] body;
        try
        {
            (status, body) = await poster.PostAsync(Path, Serialize(attributes), timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AccessReviewUnavailableException($"the SubjectAccessReview took longer than {Timeout.TotalSeconds:0} s", e);
        }

        if (status != 201)
        {
            throw new AccessReviewUnavailableException($"the SubjectAccessReview was answered {status}: {Excerpt(body)}");
        }

        return Parse(body);
    }

    /// <summary>The request body for <paramref name="attributes"/>.</summary>
    public static byte[] Serialize(AccessReviewAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion"u8, "authorization.k8s.io/v1"u8);
            json.WriteString("kind"u8, "SubjectAccessReview"u8);
            json.WriteStartObject("spec"u8);
            if (attributes.IsResourceRequest)
            {
                json.WriteStartObject("resourceAttributes"u8);
                WriteUnlessEmpty(json, "namespace", attributes.Namespace);
                json.WriteString("verb"u8, attributes.Verb);
                json.WriteString("group"u8, attributes.Group);
                json.WriteString("version"u8, attributes.Version);
                json.WriteString("resource"u8, attributes.Resource);
                WriteUnlessEmpty(json, "subresource", attributes.Subresource);
                WriteUnlessEmpty(json, "name", attributes.Name);
                WriteSelector(json, "fieldSelector", attributes.FieldSelector);
                WriteSelector(json, "labelSelector", attributes.LabelSelector);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject("nonResourceAttributes"u8);
                json.WriteString("path"u8, attributes.Path);
                json.WriteString("verb"u8, attributes.Verb);
                json.WriteEndObject();
            }

            var user = attributes.User;
            json.WriteString("user"u8, user.Name);
            if (user.Groups.Count > 0)
            {
                json.WriteStartArray("groups"u8);
                foreach (var group in user.Groups)
                {
                    json.WriteStringValue(group);
                }

                json.WriteEndArray();
            }

            if (user.Extra.Count > 0)
            {
                json.WriteStartObject("extra"u8);
                foreach (var (key, values) in user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    json.WriteStartArray(key);
                    foreach (var value in values)
                    {
                        json.WriteStringValue(value);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            WriteUnlessEmpty(json, "uid", user.Uid);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The decision in a SubjectAccessReview answer: <c>status.allowed</c>, <c>denied</c>,
    /// <c>reason</c> and <c>evaluationError</c> (absent = false or empty). A body that is not such
    /// an object throws <see cref="AccessReviewUnavailableException"/>.
    /// </summary>
    public static AccessDecision Parse(byte[] body)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(body);
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("status"u8, out var status)
                || status.ValueKind != JsonValueKind.Object)
            {
                throw new AccessReviewUnavailableException("the SubjectAccessReview answer has no status");
            }

            return new AccessDecision(
                Flag(status, "allowed"),
                Flag(status, "denied"),
                Text(status, "reason"),
                Text(status, "evaluationError"));
        }
        catch (JsonException e)
        {
            throw new AccessReviewUnavailableException("the SubjectAccessReview answer is not JSON: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new AccessReviewUnavailableException("the SubjectAccessReview answer has a status of the wrong shape: " + e.Message, e);
        }
    }

    private static bool Flag(JsonElement status, string name) =>
        status.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null && value.GetBoolean();

    private static string Text(JsonElement status, string name) =>
        status.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() ?? "" : "";

    private static void WriteUnlessEmpty(Utf8JsonWriter json, string name, string value)
    {
        if (value.Length > 0)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary><c>{"requirements":[{"key","operator","values"}]}</c>, left out when there are none; values left out when empty (Exists, DoesNotExist).</summary>
    private static void WriteSelector(Utf8JsonWriter json, string name, IReadOnlyList<SelectorRequirement> requirements)
    {
        if (requirements.Count == 0)
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteStartArray("requirements"u8);
        foreach (var requirement in requirements)
        {
            json.WriteStartObject();
            json.WriteString("key"u8, requirement.Key);
            json.WriteString("operator"u8, requirement.Operator);
            if (requirement.Values.Count > 0)
            {
                json.WriteStartArray("values"u8);
                foreach (var value in requirement.Values)
                {
                    json.WriteStringValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The start of an error body, for the exception message.</summary>
    private static string Excerpt(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));
        return text.Length == 0 ? "(empty body)" : text.TrimEnd('\n');
    }
}
