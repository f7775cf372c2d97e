using System.Buffers;
using System.Text.Json;

namespace ApiCache.Security;

/// <summary>
/// The TokenReview ApiCache posts to the upstream (<c>authentication.k8s.io/v1</c>, as fixture
/// 09-tokenreview-alice's request: <c>{"apiVersion":..,"kind":"TokenReview","spec":{"token":..}}</c>,
/// with <c>spec.audiences</c> when configured) and how its answer is read.
/// </summary>
internal static class TokenReviewJson
{
    /// <summary>Where TokenReviews are created.</summary>
    public const string Path = "/apis/authentication.k8s.io/v1/tokenreviews";

    /// <summary>The request body reviewing <paramref name="token"/> for <paramref name="audiences"/> (none: the apiserver's own).</summary>
    public static byte[] Request(string token, IReadOnlyCollection<string> audiences)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(audiences);
        var buffer = new ArrayBufferWriter<byte>(128 + token.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion"u8, "authentication.k8s.io/v1"u8);
            json.WriteString("kind"u8, "TokenReview"u8);
            json.WriteStartObject("spec"u8);
            json.WriteString("token"u8, token);
            if (audiences.Count > 0)
            {
                json.WriteStartArray("audiences"u8);
                foreach (var audience in audiences)
                {
                    json.WriteStringValue(audience);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// What the review's <c>status</c> says: <see cref="AuthenticationOutcome.Authenticated"/> with the
    /// user (plus <c>system:authenticated</c>) when it is authenticated with a user name and, when
    /// <paramref name="audiences"/> were asked for, for one of them; otherwise
    /// <see cref="AuthenticationOutcome.Rejected"/> with the reason in <paramref name="error"/>.
    /// Null when the body is not a TokenReview.
    /// </summary>
    public static AuthenticationResult? Interpret(byte[] body, IReadOnlyCollection<string> audiences, out string error)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(audiences);
        error = "";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("status"u8, out var status)
                || status.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (status.TryGetProperty("error"u8, out var message) && message.ValueKind == JsonValueKind.String)
            {
                error = message.GetString() ?? "";
            }

            var authenticated = status.TryGetProperty("authenticated"u8, out var flag) && flag.ValueKind == JsonValueKind.True;
            if (!authenticated)
            {
                return AuthenticationResult.Rejected;
            }

            if (!status.TryGetProperty("user"u8, out var user) || user.ValueKind != JsonValueKind.Object
                || String(user, "username"u8) is not { Length: > 0 } name)
            {
                error = "the TokenReview is authenticated but names no user";
                return AuthenticationResult.Rejected;
            }

            if (audiences.Count > 0)
            {
                var granted = status.TryGetProperty("audiences"u8, out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()).ToList()
                    : [];
                if (!granted.Any(audiences.Contains))
                {
                    error = $"token audiences [{string.Join(",", granted)}] are not among the configured audiences [{string.Join(",", audiences)}]";
                    return AuthenticationResult.Rejected;
                }
            }

            var groups = user.TryGetProperty("groups"u8, out var groupList) && groupList.ValueKind == JsonValueKind.Array
                ? groupList.EnumerateArray().Where(g => g.ValueKind == JsonValueKind.String).Select(g => g.GetString()!).ToList()
                : [];
            return AuthenticationResult.Authenticated(UserInfo.Authenticated(name, String(user, "uid"u8) ?? "", groups, Extra(user)));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, ReadOnlySpan<byte> name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, IReadOnlyList<string>>? Extra(JsonElement user)
    {
        if (!user.TryGetProperty("extra"u8, out var extra) || extra.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var property in extra.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                result[property.Name] = [.. property.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)];
            }
        }

        return result.Count == 0 ? null : result;
    }
}
