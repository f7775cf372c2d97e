using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Serialization;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// JSON Patch (RFC 6902) with JSON Pointers (RFC 6901: <c>~1</c> is '/', <c>~0</c> is '~', <c>-</c> is
/// the end of an array), applied the way the apiserver's library (evanphx/json-patch v4) applies it.
/// A failing operation throws a <see cref="PatchException"/> with the apiserver's answer, a generic
/// 422 Invalid "the server rejected our request due to an error in our request" (the library's own
/// message, which the apiserver does not show, is in <see cref="PatchException.Detail"/>).
/// </summary>
/// <remarks>
/// Library behaviour kept on purpose, where it is looser than the RFC: <c>replace</c> of a missing
/// object member adds it; <c>copy</c> from a missing object member copies null; an operation without
/// <c>value</c> adds null; negative array indexes count from the end; array indexes are parsed like
/// Go's <c>strconv.Atoi</c> (leading zeros and '+' accepted); a path that does not start with '/' is
/// split all the same. The root (path "") can only be replaced (by an object or array) and tested.
/// </remarks>
internal static class JsonPatch
{
    /// <summary>
    /// Applies <paramref name="operations"/> (decoded operation objects; a null entry is an operation
    /// without members) in order to <paramref name="document"/>, which is modified; returns the result
    /// (a different node only when the root was replaced).
    /// </summary>
    public static JsonNode Apply(JsonNode document, IEnumerable<JsonObject?> operations)
    {
        var root = document;
        foreach (var operation in operations)
        {
            var error = ApplyOne(ref root, operation ?? []);
            if (error is not null)
            {
                throw PatchErrors.Unprocessable(error);
            }
        }

        return root;
    }

    /// <summary>Applies one operation; returns the library's error message, or null.</summary>
    private static string? ApplyOne(ref JsonNode root, JsonObject operation)
    {
        var kind = StringMember(operation, "op", out var op) ? op : "unknown";
        return kind switch
        {
            "add" => Add(root, operation),
            "remove" => Remove(root, operation),
            "replace" => Replace(ref root, operation),
            "move" => Move(root, operation),
            "test" => Test(root, operation),
            "copy" => Copy(root, operation),
            _ => "Unexpected kind: " + kind,
        };
    }

    private static string? Add(JsonNode root, JsonObject operation)
    {
        if (!StringMember(operation, "path", out var path))
        {
            return "add operation failed to decode path: missing value";
        }

        if (FindContainer(root, path) is not ({ } container, { } key))
        {
            return $"add operation does not apply: doc is missing path: \"{path}\": missing value";
        }

        return AddTo(container, key, Value(operation)) is { } error ? $"error in add for path: '{path}': {error}" : null;
    }

    private static string? Remove(JsonNode root, JsonObject operation)
    {
        if (!StringMember(operation, "path", out var path))
        {
            return "remove operation failed to decode path: missing value";
        }

        if (FindContainer(root, path) is not ({ } container, { } key))
        {
            return $"remove operation does not apply: doc is missing path: \"{path}\": missing value";
        }

        return RemoveFrom(container, key, out _) is { } error ? $"error in remove for path: '{path}': {error}" : null;
    }

    private static string? Replace(ref JsonNode root, JsonObject operation)
    {
        if (!StringMember(operation, "path", out var path))
        {
            return "replace operation failed to decode path: " + PathError(operation, "path");
        }

        if (path.Length == 0)
        {
            var replacement = Value(operation);
            if (replacement is JsonObject or JsonArray)
            {
                root = replacement;
                return null;
            }

            return "replace operation value must be object or array: %!w(<nil>)";
        }

        if (FindContainer(root, path) is not ({ } container, { } key))
        {
            return $"replace operation does not apply: doc is missing path: {path}: missing value";
        }

        if (container is JsonArray list)
        {
            if (ResolveIndex(list, key, out var index) is not null)
            {
                return $"replace operation does not apply: doc is missing key: {path}: missing value";
            }

            list[index] = Value(operation);
        }
        else
        {
            ((JsonObject)container)[key] = Value(operation);
        }

        return null;
    }

    private static string? Move(JsonNode root, JsonObject operation)
    {
        if (!StringMember(operation, "from", out var from))
        {
            return "move operation failed to decode from: " + PathError(operation, "from");
        }

        if (FindContainer(root, from) is not ({ } source, { } sourceKey))
        {
            return $"move operation does not apply: doc is missing from path: {from}: missing value";
        }

        if (Get(source, sourceKey, out _) is { } getError)
        {
            return $"error in move for path: '{sourceKey}': {getError}";
        }

        if (RemoveFrom(source, sourceKey, out var value) is { } removeError)
        {
            return $"error in move for path: '{sourceKey}': {removeError}";
        }

        if (!StringMember(operation, "path", out var path))
        {
            return "move operation failed to decode path: " + PathError(operation, "path");
        }

        if (FindContainer(root, path) is not ({ } target, { } targetKey))
        {
            return $"move operation does not apply: doc is missing destination path: {path}: missing value";
        }

        return AddTo(target, targetKey, value) is { } error ? $"error in move for path: '{path}': {error}" : null;
    }

    private static string? Test(JsonNode root, JsonObject operation)
    {
        if (!StringMember(operation, "path", out var path))
        {
            return "test operation failed to decode path: " + PathError(operation, "path");
        }

        var hasValue = operation.TryGetPropertyValue("value", out var expected);
        if (path.Length == 0)
        {
            return hasValue && GoJsonValues.PatchTestEquals(root, expected) ? null : $"testing value {path} failed: test failed";
        }

        if (FindContainer(root, path) is not ({ } container, { } key))
        {
            return $"test operation does not apply: is missing path: {path}: missing value";
        }

        if (Get(container, key, out var actual) is { } error)
        {
            return $"error in test for path: '{path}': {error}";
        }

        // A missing member and a null member both pass against a missing or null value, and only against those.
        bool passed = actual is null ? expected is null : hasValue && GoJsonValues.PatchTestEquals(actual, expected);
        return passed ? null : $"testing value {path} failed: test failed";
    }

    private static string? Copy(JsonNode root, JsonObject operation)
    {
        if (!StringMember(operation, "from", out var from))
        {
            return "copy operation failed to decode from: " + PathError(operation, "from");
        }

        if (FindContainer(root, from) is not ({ } source, { } sourceKey))
        {
            return $"copy operation does not apply: doc is missing from path: {from}: missing value";
        }

        if (Get(source, sourceKey, out var value) is { } getError)
        {
            return $"error in copy for from: '{from}': {getError}";
        }

        if (!StringMember(operation, "path", out var path))
        {
            return "copy operation failed to decode path: missing value";
        }

        if (FindContainer(root, path) is not ({ } target, { } targetKey))
        {
            return $"copy operation does not apply: doc is missing destination path: {path}: missing value";
        }

        return AddTo(target, targetKey, value?.DeepClone()) is { } error ? $"error while adding value during copy: {error}" : null;
    }

    /// <summary>
    /// evanphx <c>findObject</c>: walks all pointer tokens but the last and returns the container they
    /// lead to and the (unescaped) last token; null when a step is missing or not an object or array.
    /// </summary>
    private static (JsonNode Container, string Key)? FindContainer(JsonNode root, string path)
    {
        var tokens = path.Split('/');
        if (tokens.Length < 2)
        {
            return null;
        }

        var container = root;
        foreach (var token in tokens.AsSpan(1, tokens.Length - 2))
        {
            if (Get(container, Unescape(token), out var next) is not null || next is not (JsonObject or JsonArray))
            {
                return null;
            }

            container = next;
        }

        return (container, Unescape(tokens[^1]));
    }

    /// <summary>RFC 6901 unescaping in one left-to-right pass (so "~01" is "~1").</summary>
    private static string Unescape(string token) =>
        token.Contains('~', StringComparison.Ordinal)
            ? string.Concat(SplitEscapes(token))
            : token;

    private static IEnumerable<string> SplitEscapes(string token)
    {
        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '~' && i + 1 < token.Length && token[i + 1] is '0' or '1')
            {
                yield return token[i + 1] == '0' ? "~" : "/";
                i++;
            }
            else
            {
                yield return token[i].ToString();
            }
        }
    }

    /// <summary>Reads a member or element; an object's missing member reads as null (no error), as in the library.</summary>
    private static string? Get(JsonNode container, string key, out JsonNode? value)
    {
        value = null;
        if (container is JsonObject map)
        {
            map.TryGetPropertyValue(key, out value);
            return null;
        }

        var list = (JsonArray)container;
        if (ResolveIndex(list, key, out var index) is { } error)
        {
            return error;
        }

        value = list[index];
        return null;
    }

    /// <summary>Adds a member (replacing one of the same name) or inserts an element ("-" appends).</summary>
    private static string? AddTo(JsonNode container, string key, JsonNode? value)
    {
        if (container is JsonObject map)
        {
            map[key] = value;
            return null;
        }

        var list = (JsonArray)container;
        if (key == "-")
        {
            list.Add(value);
            return null;
        }

        if (Atoi(key, out var index) is { } parseError)
        {
            return $"value was not a proper array index: '{key}': {parseError}";
        }

        var size = list.Count + 1L;
        if (index >= size || index < -size)
        {
            return InvalidIndex(index);
        }

        list.Insert((int)(index < 0 ? index + size : index), value);
        return null;
    }

    /// <summary>Removes a member or element, returning what was removed.</summary>
    private static string? RemoveFrom(JsonNode container, string key, out JsonNode? removed)
    {
        removed = null;
        if (container is JsonObject map)
        {
            if (!map.TryGetPropertyValue(key, out removed))
            {
                return $"Unable to remove nonexistent key: {key}: missing value";
            }

            map.Remove(key);
            return null;
        }

        var list = (JsonArray)container;
        if (ResolveIndex(list, key, out var index) is { } error)
        {
            return error;
        }

        removed = list[index];
        list.RemoveAt(index);
        return null;
    }

    /// <summary>An existing element's index: Go <c>strconv.Atoi</c>, negative counting from the end.</summary>
    private static string? ResolveIndex(JsonArray list, string key, out int index)
    {
        index = -1;
        if (Atoi(key, out var value) is { } parseError)
        {
            return parseError;
        }

        if (value >= list.Count || value < -list.Count)
        {
            return InvalidIndex(value);
        }

        index = (int)(value < 0 ? value + list.Count : value);
        return null;
    }

    private static string InvalidIndex(long index) =>
        $"Unable to access invalid index: {index.ToString(CultureInfo.InvariantCulture)}: invalid index referenced";

    /// <summary>Go's <c>strconv.Atoi</c>: optional sign, decimal digits; its error text on failure.</summary>
    private static string? Atoi(string text, out long value)
    {
        value = 0;
        var digits = text.Length > 0 && text[0] is '+' or '-' ? text.AsSpan(1) : text.AsSpan();
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return $"strconv.Atoi: parsing {GoText.QuoteRunes(text)}: invalid syntax";
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            return $"strconv.Atoi: parsing {GoText.QuoteRunes(text)}: value out of range";
        }

        return null;
    }

    /// <summary>Reads a string member; false when missing, null or not a string (the library's "unknown").</summary>
    private static bool StringMember(JsonObject operation, string name, out string value)
    {
        value = "unknown";
        if (operation.TryGetPropertyValue(name, out var node) && node?.GetValueKind() == JsonValueKind.String)
        {
            value = node.GetValue<string>();
            return true;
        }

        return false;
    }

    /// <summary>The library's error for an unreadable path or from member.</summary>
    private static string PathError(JsonObject operation, string name)
    {
        if (operation.TryGetPropertyValue(name, out var node) && node is not null)
        {
            return GoText.UnmarshalTypeError(node, "string");
        }

        return name == "from" ? "operation, missing from field: missing value" : "operation missing path field: missing value";
    }

    /// <summary>A copy of the operation's value; null when it is null or missing (the library adds null then).</summary>
    private static JsonNode? Value(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : null;
}
