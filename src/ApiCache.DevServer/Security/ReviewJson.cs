using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.Security;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Security;

/// <summary>
/// JSON pieces the review endpoints share: reading typed fields of a request body strictly (a wrong
/// JSON type is a decode error, as in Go), the <c>metadata.managedFields</c> entry the apiserver
/// records for a created review (manager from the User-Agent, fields from the spec that was set),
/// the user info shape, and compact serialization.
/// </summary>
internal static class ReviewJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The string at <paramref name="key"/> ("" when absent or null); throws <see cref="FormatException"/> for another JSON type.</summary>
    public static string String(JsonObject owner, string key, string path)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return owner[key] switch
        {
            null => "",
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            var other => throw TypeError(other, path + "." + key, "string"),
        };
    }

    /// <summary>The string list at <paramref name="key"/> (empty when absent or null); throws <see cref="FormatException"/> for another shape.</summary>
    public static List<string> Strings(JsonObject owner, string key, string path)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return owner[key] switch
        {
            null => [],
            JsonArray array => [.. array.Select(item => item switch
            {
                null => "",
                JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
                var other => throw TypeError(other, path + "." + key, "string"),
            })],
            var other => throw TypeError(other, path + "." + key, "[]string"),
        };
    }

    /// <summary>The object at <paramref name="key"/>, or null when absent or null; throws <see cref="FormatException"/> for another JSON type.</summary>
    public static JsonObject? Object(JsonObject owner, string key, string path, string goType)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return owner[key] switch
        {
            null => null,
            JsonObject value => value,
            var other => throw TypeError(other, path + "." + key, goType),
        };
    }

    /// <summary>Go's json type error for a value of the wrong type.</summary>
    public static FormatException TypeError(JsonNode node, string path, string goType)
    {
        ArgumentNullException.ThrowIfNull(node);
        var kind = node.GetValueKind() switch
        {
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            _ => "bool",
        };
        return new FormatException($"json: cannot unmarshal {kind} into Go struct field {path} of type {goType}");
    }

    /// <summary>
    /// The field manager the apiserver derives from a User-Agent: the part before the first
    /// <c>/</c>, at most 128 characters (<c>fixture-client/v1.0.0 (linux/amd64) ...</c> gives <c>fixture-client</c>).
    /// </summary>
    public static string Manager(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var manager = request.Headers.UserAgent.ToString().Split('/')[0];
        return manager.Length > 128 ? manager[..128] : manager;
    }

    /// <summary>
    /// <c>metadata.managedFields</c> of a created review: one Update entry by the request's manager
    /// whose <c>fieldsV1</c> lists every field set in <paramref name="spec"/> (nested structs and maps
    /// with their <c>"."</c> entry, lists atomic), keys sorted.
    /// </summary>
    public static JsonArray ManagedFields(HttpRequest request, string apiVersion, JsonObject spec, DateTimeOffset now) =>
    [
        new JsonObject
        {
            ["manager"] = Manager(request),
            ["operation"] = "Update",
            ["apiVersion"] = apiVersion,
            ["time"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject { ["f:spec"] = FieldSet(spec, nested: false) },
        },
    ];

    private static JsonObject FieldSet(JsonObject fields, bool nested)
    {
        var set = new JsonObject();
        if (nested)
        {
            set["."] = new JsonObject();
        }

        foreach (var (key, value) in fields.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            set["f:" + key] = value is JsonObject child ? FieldSet(child, nested: true) : new JsonObject();
        }

        return set;
    }

    /// <summary>A user info as TokenReview and SelfSubjectReview write it (<c>username</c>, <c>uid</c>, <c>groups</c>, <c>extra</c>; empty ones left out).</summary>
    public static JsonObject User(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var info = new JsonObject();
        if (user.Name.Length > 0)
        {
            info["username"] = user.Name;
        }

        if (user.Uid.Length > 0)
        {
            info["uid"] = user.Uid;
        }

        if (user.Groups.Count > 0)
        {
            info["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)g)]);
        }

        if (user.Extra.Count > 0)
        {
            info["extra"] = Extra(user.Extra);
        }

        return info;
    }

    /// <summary>Extra attributes as Go encodes a map: keys sorted.</summary>
    public static JsonObject Extra(IReadOnlyDictionary<string, IReadOnlyList<string>> extra)
    {
        ArgumentNullException.ThrowIfNull(extra);
        var map = new JsonObject();
        foreach (var (key, values) in extra.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            map[key] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        }

        return map;
    }

    /// <summary>Compact bytes of <paramref name="document"/>, with Go's (non-HTML-escaping) string encoding.</summary>
    public static byte[] ToBytes(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            document.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
