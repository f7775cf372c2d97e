using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using ApiCache.Storage;

namespace ApiCache.Tests.Informers;

/// <summary>
/// A simple <see cref="IObjectDecoder"/> for the reflector tests (the real one is a single-pass
/// Utf8JsonReader decoder): parses with <see cref="JsonDocument"/> and keeps the bytes as received.
/// </summary>
internal sealed class TestObjectDecoder : IObjectDecoder
{
    public bool TryDecode(ReadOnlySpan<byte> json, [NotNullWhen(true)] out CachedObject? cachedObject, [NotNullWhen(false)] out string? error)
    {
        cachedObject = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            error = "not JSON: " + e.Message;
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
            {
                error = "no metadata";
                return false;
            }

            if (!metadata.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                error = "no metadata.name";
                return false;
            }

            if (!metadata.TryGetProperty("resourceVersion", out var rvElement) || rvElement.ValueKind != JsonValueKind.String
                || !long.TryParse(rvElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            {
                error = "no numeric metadata.resourceVersion";
                return false;
            }

            var ns = metadata.TryGetProperty("namespace", out var nsElement) ? nsElement.GetString() ?? "" : "";
            var uid = metadata.TryGetProperty("uid", out var uidElement) ? uidElement.GetString() ?? "" : "";
            var labels = metadata.TryGetProperty("labels", out var labelsElement) && labelsElement.ValueKind == JsonValueKind.Object
                ? labelsElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString() ?? "")).OrderBy(p => p.Key, StringComparer.Ordinal).ToArray()
                : [];
            cachedObject = new CachedObject(json.ToArray(), new ObjectKey(ns, name.GetString()!), uid, rv, labels, [], ObjectSchema.Empty);
            error = null;
            return true;
        }
    }
}
