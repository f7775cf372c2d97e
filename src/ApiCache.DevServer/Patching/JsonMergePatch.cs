using System.Text.Json.Nodes;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// JSON Merge Patch (RFC 7386) as the apiserver applies it (evanphx/json-patch v4 <c>MergePatch</c>):
/// a null member deletes, an object merges recursively into an object, anything else replaces
/// (arrays wholesale).
/// </summary>
/// <remarks>
/// Where the library differs from the RFC's pseudo-code the dev server follows the library: a value
/// that is added or replaces a non-object has the null members of its objects removed at every
/// depth, including objects inside arrays (the RFC keeps those); null array elements are kept; an
/// array or scalar replacing an object is kept as sent. Rejecting null and scalar patches and
/// non-object results is <see cref="PatchApplier"/>'s job; this class applies any JSON.
/// </remarks>
internal static class JsonMergePatch
{
    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="target"/> and returns the result.
    /// <paramref name="target"/> may be modified and reused in the result; <paramref name="patch"/> is
    /// not modified (its values are copied).
    /// </summary>
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchMap)
        {
            return PruneNulls(patch?.DeepClone());
        }

        if (target is not JsonObject targetMap)
        {
            return PruneNulls(patchMap.DeepClone());
        }

        MergeInto(targetMap, patchMap);
        return targetMap;
    }

    /// <summary>evanphx <c>mergeDocs</c>: merges the members of <paramref name="patch"/> into <paramref name="target"/>.</summary>
    private static void MergeInto(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                target.Remove(key);
                continue;
            }

            if (!target.TryGetPropertyValue(key, out var current) || current is null)
            {
                target[key] = PruneNulls(value.DeepClone());
                continue;
            }

            // evanphx "merge": a non-object target takes the patch value with nulls pruned; an object
            // target takes a non-object patch value as is; two objects merge.
            if (current is not JsonObject currentMap)
            {
                target[key] = PruneNulls(value.DeepClone());
            }
            else if (value is not JsonObject valueMap)
            {
                target[key] = value.DeepClone();
            }
            else
            {
                MergeInto(currentMap, valueMap);
            }
        }
    }

    /// <summary>evanphx <c>pruneNulls</c>: removes null members of objects, at any depth; keeps null array elements.</summary>
    private static JsonNode? PruneNulls(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject map:
                foreach (var key in map.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    map.Remove(key);
                }

                foreach (var (_, member) in map)
                {
                    PruneNulls(member);
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    PruneNulls(item);
                }

                break;
        }

        return value;
    }
}
