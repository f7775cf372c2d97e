using System.Text.Json.Nodes;
using ApiCache.DevServer.Serialization;
using static ApiCache.DevServer.Patching.GoJsonValues;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// Kubernetes strategic merge patch, applied like the apiserver's <c>StrategicMergeMapPatch</c>
/// (k8s.io/apimachinery strategicpatch, apply side) with the patch strategies of
/// <see cref="StrategicMergeSchema"/>.
/// </summary>
/// <remarks>
/// <para>Supported: merge patch semantics for maps (null deletes); lists with
/// <c>patchStrategy:"merge"</c> merge by their merge key (elements with the same key merge
/// recursively, new ones are added), lists of scalars with that strategy are merged as sets; the
/// resulting order follows the apiserver's (patch elements in patch order, interleaved with the
/// server's other elements by their server order, so a new element comes first). Directives:
/// <c>$patch: replace</c> and <c>$patch: delete</c> on maps and in merging lists,
/// <c>$deleteFromPrimitiveList/&lt;field&gt;</c>, <c>$retainKeys</c>, <c>$setElementOrder/&lt;field&gt;</c>
/// (validated and applied). Directive keys are never stored.</para>
/// <para>Degrades to merge patch semantics: any list the schema does not know is replaced whole (as a
/// list without strategy is); there is no type checking, so a value of the wrong type is stored as
/// sent where the apiserver would answer 422; null members of values taken from the patch are
/// dropped (the apiserver's typed round trip turns them into zero values, usually omitted).</para>
/// <para>Errors are the apiserver's: malformed directives 400, lists of lists 422 (generic), other
/// library errors (a list element without its merge key, an unknown <c>$patch</c>, ...) 500 with the
/// library's message, Go-formatted.</para>
/// </remarks>
internal static class StrategicMergePatch
{
    private const string DirectiveMarker = "$patch";
    private const string RetainKeysDirective = "$retainKeys";
    private const string DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
    private const string SetElementOrderPrefix = "$setElementOrder";
    private const string MapType = "map[string]interface {}";
    private const string SliceType = "[]interface {}";

    /// <summary>
    /// Applies <paramref name="patch"/> to <paramref name="original"/> (which is modified) and returns
    /// the result: <paramref name="original"/> itself, or a new object for a top-level <c>$patch</c>.
    /// </summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, StrategicMergeSchema schema) =>
        MergeMap(original, (JsonObject)patch.DeepClone(), schema);

    /// <summary>apimachinery <c>mergeMap</c>. <paramref name="patch"/> is consumed (directives are removed from it).</summary>
    private static JsonObject MergeMap(JsonObject original, JsonObject patch, StrategicMergeSchema schema)
    {
        if (patch.TryGetPropertyValue(DirectiveMarker, out var directive))
        {
            return MapDirective(directive, patch);
        }

        ApplyRetainKeys(original, patch);
        MergeSetElementOrderLists(original, patch, schema);

        foreach (var (patchKey, patchValue) in patch.ToList())
        {
            var key = patchKey;
            var isDeleteList = false;
            if (patchKey.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            {
                key = ExtractKey(patchKey, DeleteFromPrimitiveListPrefix, "invalid patch format of primitive list");
                isDeleteList = true;
            }
            else if (patchKey.StartsWith('$'))
            {
                continue; // no built-in field starts with '$': the apiserver's typed decoding drops such keys
            }

            if (patchValue is null)
            {
                original.Remove(key);
                continue;
            }

            if (!original.TryGetPropertyValue(key, out var current) || KindOf(current) != KindOf(patchValue))
            {
                if (!isDeleteList)
                {
                    SetFromPatch(original, key, patchValue);
                }

                continue;
            }

            var field = schema.Field(key);
            switch (current)
            {
                case JsonObject currentMap:
                    var merged = MergeMap(currentMap, (JsonObject)patchValue, field);
                    if (!ReferenceEquals(merged, currentMap))
                    {
                        original[key] = merged;
                    }

                    break;
                case JsonArray currentList:
                    original[key] = new JsonArray([.. MergeSliceHandler(Detach(currentList), (JsonArray)patchValue, field, isDeleteList)]);
                    break;
                default:
                    SetFromPatch(original, key, patchValue);
                    break;
            }
        }

        return original;
    }

    /// <summary>A map carrying <c>$patch</c>: replace takes the patch map as is, delete empties the map.</summary>
    private static JsonObject MapDirective(JsonNode? directive, JsonObject patch)
    {
        switch (DirectiveName(directive))
        {
            case "replace":
                patch.Remove(DirectiveMarker);
                return (JsonObject)Sanitize(patch.DeepClone())!;
            case "delete":
                return [];
            default:
                throw BadPatchType(directive, patch);
        }
    }

    /// <summary>
    /// <c>$retainKeys</c>: every key the patch sets must be listed (else 400), and the original keeps only the listed keys.
    /// </summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(RetainKeysDirective, out var retain))
        {
            return;
        }

        patch.Remove(RetainKeysDirective);
        if (retain is not JsonArray retainList)
        {
            throw PatchErrors.BadRequest("invalid patch format of retainKeys");
        }

        var retained = retainList.Where(k => KindOf(k) == Kind.String).Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is not null
                && !key.StartsWith(DeleteFromPrimitiveListPrefix, StringComparison.Ordinal)
                && !key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)
                && !retained.Contains(key))
            {
                throw PatchErrors.BadRequest("invalid patch format of retainKeys");
            }
        }

        foreach (var key in original.Select(p => p.Key).Where(k => !retained.Contains(k)).ToList())
        {
            original.Remove(key);
        }
    }

    /// <summary>
    /// apimachinery <c>mergePatchIntoOriginal</c>: each <c>$setElementOrder/&lt;field&gt;</c> merges its
    /// list now and orders the result: listed elements in the listed order, the server's other elements
    /// interleaved by their server order.
    /// </summary>
    private static void MergeSetElementOrderLists(JsonObject original, JsonObject patch, StrategicMergeSchema schema)
    {
        foreach (var (directiveKey, directiveValue) in patch.Where(p => p.Key.StartsWith(SetElementOrderPrefix, StringComparison.Ordinal)).ToList())
        {
            patch.Remove(directiveKey);
            if (directiveValue is not JsonArray orderList)
            {
                throw PatchErrors.Internal(BadArgType(SliceType, directiveValue));
            }

            var key = ExtractKey(directiveKey, SetElementOrderPrefix, "invalid patch format of setElementOrder list");
            var order = orderList.ToList();
            var foundOriginal = original.TryGetPropertyValue(key, out var originalValue);
            var foundPatch = patch.TryGetPropertyValue(key, out var patchValue);
            if (foundOriginal && originalValue is not JsonArray)
            {
                throw PatchErrors.Internal(BadArgType(SliceType, originalValue));
            }

            if (foundPatch && patchValue is not JsonArray)
            {
                throw PatchErrors.Internal(BadArgType(SliceType, patchValue));
            }

            var field = schema.Field(key);
            var patchList = (JsonArray?)patchValue;
            ValidateSetElementOrder(patchList?.ToList() ?? [], order, field.MergeKey);

            var originalItems = foundOriginal ? Detach((JsonArray)originalValue!) : [];
            List<JsonNode?> merged;
            if (foundOriginal && !foundPatch)
            {
                merged = [.. originalItems];
            }
            else if (!foundOriginal && foundPatch)
            {
                merged = patchList!.Select(TakeValue).Where(v => v.Keep).Select(v => v.Value).ToList();
            }
            else if (foundOriginal && foundPatch)
            {
                merged = MergeSliceHandler([.. originalItems], patchList!, field, isDeleteList: false);
            }
            else
            {
                continue;
            }

            var (patchItems, serverOnly) = field.MergeKey is { } mergeKey
                ? PartitionMaps(merged, order, mergeKey)
                : PartitionPrimitives(merged, order);
            var kind = SliceElementType(originalItems, patchList?.ToList() ?? []);
            original[key] = new JsonArray([.. NormalizeElementOrder(patchItems, serverOnly, order, originalItems, field.MergeKey, kind)]);
            patch.Remove(key);
        }
    }

    /// <summary>
    /// apimachinery <c>validatePatchWithSetOrderList</c>: the patch list's elements must appear in the
    /// <c>$setElementOrder</c> list, in the same relative order.
    /// </summary>
    private static void ValidateSetElementOrder(List<JsonNode?> patchList, List<JsonNode?> order, string? mergeKey)
    {
        if (order.Count == 0 || patchList.Count == 0)
        {
            return;
        }

        var nonDelete = mergeKey is null ? patchList : ExtractToDeleteItems(patchList).NonDelete;
        int patchIndex = 0, orderIndex = 0;
        while (patchIndex < nonDelete.Count && orderIndex < order.Count)
        {
            if (nonDelete[patchIndex] is JsonObject item && item.ContainsKey(DirectiveMarker))
            {
                patchIndex++;
                continue;
            }

            if (MergeKeyValueEqual(nonDelete[patchIndex], order[orderIndex], mergeKey))
            {
                patchIndex++;
            }

            orderIndex++;
        }

        if (patchIndex < nonDelete.Count && orderIndex >= order.Count)
        {
            throw PatchErrors.Internal(
                $"the order in patch list:\n{GoText.FormatValue(new JsonArray([.. patchList.Select(i => i?.DeepClone())]))}\n doesn't match {SetElementOrderPrefix} list:\n{GoText.FormatValue(new JsonArray([.. order.Select(i => i?.DeepClone())]))}");
        }
    }

    private static bool MergeKeyValueEqual(JsonNode? left, JsonNode? right, string? mergeKey)
    {
        if (mergeKey is null)
        {
            return GoEquals(left, right);
        }

        if (left is not JsonObject leftMap)
        {
            throw PatchErrors.Internal(BadArgType(MapType, left));
        }

        if (right is not JsonObject rightMap)
        {
            throw PatchErrors.Internal(BadArgType(MapType, right));
        }

        if (!leftMap.TryGetPropertyValue(mergeKey, out var leftKey))
        {
            throw PatchErrors.Internal(NoMergeKey(leftMap, mergeKey));
        }

        if (!rightMap.TryGetPropertyValue(mergeKey, out var rightKey))
        {
            throw PatchErrors.Internal(NoMergeKey(rightMap, mergeKey));
        }

        return GoEquals(leftKey, rightKey);
    }

    /// <summary>Merges a list field: by key (or as a set) when the schema says merge, else the patch list replaces it.</summary>
    private static List<JsonNode?> MergeSliceHandler(List<JsonNode?> original, JsonArray patch, StrategicMergeSchema field, bool isDeleteList)
    {
        if (!field.MergeListStrategy)
        {
            return patch.Select(item => Sanitize(item?.DeepClone())).ToList();
        }

        return MergeSlice(original, patch.Select(item => item?.DeepClone()).ToList(), field.MergeKey, field, isDeleteList);
    }

    /// <summary>apimachinery <c>mergeSlice</c>: merges a patch list into a list with the merge strategy.</summary>
    private static List<JsonNode?> MergeSlice(List<JsonNode?> original, List<JsonNode?> patch, string? mergeKey, StrategicMergeSchema elementSchema, bool isDeleteList)
    {
        if (original.Count == 0 && patch.Count == 0)
        {
            return original;
        }

        var kind = SliceElementType(original, patch);
        List<JsonNode?> merged;
        if (kind != Kind.Map)
        {
            if (isDeleteList)
            {
                return original.Where(item => !patch.Any(deleted => GoEquals(item, deleted))).ToList();
            }

            merged = DeduplicateScalars([.. original, .. patch]);
        }
        else
        {
            if (mergeKey is null)
            {
                throw PatchErrors.Internal("cannot merge lists without merge key for type map");
            }

            (original, patch) = MergeSliceWithSpecialElements(original, patch, mergeKey);
            merged = MergeSliceWithoutSpecialElements(original, patch, mergeKey, elementSchema);
        }

        var (patchItems, serverOnly) = mergeKey is null ? PartitionPrimitives(merged, patch) : PartitionMaps(merged, patch, mergeKey);
        return NormalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
    }

    /// <summary>
    /// Handles the elements carrying <c>$patch</c>: delete removes the original elements with that key,
    /// replace makes the other patch elements the whole list. Returns the new original and the plain patch elements.
    /// </summary>
    private static (List<JsonNode?> Original, List<JsonNode?> Patch) MergeSliceWithSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey)
    {
        var plain = new List<JsonNode?>();
        var replace = false;
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(DirectiveMarker, out var directive))
            {
                plain.Add(item);
                continue;
            }

            switch (DirectiveName(directive))
            {
                case "delete":
                    if (!map.TryGetPropertyValue(mergeKey, out var mergeValue))
                    {
                        throw PatchErrors.Internal(NoMergeKey(map, mergeKey));
                    }

                    original = DeleteMatchingEntries(original, mergeKey, mergeValue);
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw PatchErrors.Internal("merging lists cannot yet be specified in the patch");
                default:
                    throw BadPatchType(directive, map);
            }
        }

        return replace ? (plain.Select(Sanitize).ToList(), []) : (original, plain);
    }

    private static List<JsonNode?> DeleteMatchingEntries(List<JsonNode?> original, string mergeKey, JsonNode? mergeValue)
    {
        var kept = new List<JsonNode?>(original.Count);
        for (var i = 0; i < original.Count; i++)
        {
            if (original[i] is not JsonObject map)
            {
                throw PatchErrors.Internal($"value for key {i} is not a map.");
            }

            if (!(map.TryGetPropertyValue(mergeKey, out var value) && GoEquals(value, mergeValue)))
            {
                kept.Add(map);
            }
        }

        return kept;
    }

    /// <summary>Merges each patch element into the original element with the same key, or appends it.</summary>
    private static List<JsonNode?> MergeSliceWithoutSpecialElements(List<JsonNode?> original, List<JsonNode?> patch, string mergeKey, StrategicMergeSchema elementSchema)
    {
        var merged = new List<JsonNode?>(original);
        foreach (var item in patch)
        {
            var map = (JsonObject)item!;
            if (!map.TryGetPropertyValue(mergeKey, out var mergeValue))
            {
                throw PatchErrors.Internal(NoMergeKey(map, mergeKey));
            }

            var index = FindMapIndex(merged, mergeKey, mergeValue);
            if (index >= 0)
            {
                merged[index] = MergeMap((JsonObject)merged[index]!, map, elementSchema);
            }
            else
            {
                merged.Add(Sanitize(map));
            }
        }

        return merged;
    }

    /// <summary>The index of the first map whose merge key equals <paramref name="value"/>; -1 if none; 500 for a non-map.</summary>
    private static int FindMapIndex(List<JsonNode?> list, string mergeKey, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonObject map)
            {
                throw PatchErrors.Internal($"value for key {i} is not a map.");
            }

            if (map.TryGetPropertyValue(mergeKey, out var candidate) && GoEquals(candidate, value))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Go's in-place de-duplication of a scalar list (its order does not survive, as in Go).</summary>
    private static List<JsonNode?> DeduplicateScalars(List<JsonNode?> items)
    {
        var length = items.Count - 1;
        for (var i = 0; i < length; i++)
        {
            for (var j = i + 1; j <= length; j++)
            {
                if (GoEquals(items[i], items[j]))
                {
                    items[j] = items[length];
                    items.RemoveAt(length);
                    length--;
                    j--;
                }
            }
        }

        return items;
    }

    private static (List<JsonNode?> InPatch, List<JsonNode?> ServerOnly) PartitionPrimitives(List<JsonNode?> merged, List<JsonNode?> partitionBy)
    {
        var inPatch = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var item in merged)
        {
            (partitionBy.Any(p => GoEquals(p, item)) ? inPatch : serverOnly).Add(item);
        }

        return (inPatch, serverOnly);
    }

    private static (List<JsonNode?> InPatch, List<JsonNode?> ServerOnly) PartitionMaps(List<JsonNode?> merged, List<JsonNode?> partitionBy, string mergeKey)
    {
        var inPatch = new List<JsonNode?>();
        var serverOnly = new List<JsonNode?>();
        foreach (var item in merged)
        {
            if (item is not JsonObject map)
            {
                throw PatchErrors.Internal(BadArgType(MapType, item));
            }

            if (!map.TryGetPropertyValue(mergeKey, out var mergeValue))
            {
                throw PatchErrors.Internal(NoMergeKey(map, mergeKey));
            }

            (FindMapIndex(partitionBy, mergeKey, mergeValue) >= 0 ? inPatch : serverOnly).Add(item);
        }

        return (inPatch, serverOnly);
    }

    /// <summary>
    /// apimachinery <c>normalizeElementOrder</c>: patch elements in patch order, server-only elements in
    /// server order, then merged: a server-only element goes first when both are in the server list and
    /// it came first there; otherwise the patch element goes first.
    /// </summary>
    private static List<JsonNode?> NormalizeElementOrder(List<JsonNode?> patch, List<JsonNode?> serverOnly, List<JsonNode?> patchOrder, List<JsonNode?> serverOrder, string? mergeKey, Kind kind)
    {
        var left = NormalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
        var right = NormalizeSliceOrder(patch, patchOrder, mergeKey, kind);
        var result = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (j >= right.Count)
            {
                result.Add(left[i++]);
            }
            else if (i >= left.Count)
            {
                result.Add(right[j++]);
            }
            else
            {
                var li = IndexIn(serverOrder, left[i], mergeKey, kind);
                var ri = IndexIn(serverOrder, right[j], mergeKey, kind);
                result.Add(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
            }
        }

        return result;
    }

    /// <summary>
    /// apimachinery <c>normalizeSliceOrder</c>: orders <paramref name="items"/> by their position in
    /// <paramref name="order"/> with Go's comparator (an element missing from the order compares as
    /// "less"), by insertion sort, which is what Go's stable sort does for lists of up to 20 elements.
    /// </summary>
    private static List<JsonNode?> NormalizeSliceOrder(List<JsonNode?> items, List<JsonNode?> order, string? mergeKey, Kind kind)
    {
        List<JsonNode?> toDelete = [];
        if (kind == Kind.Map)
        {
            ValidateMergeKeys(mergeKey!, items);
            ValidateMergeKeys(mergeKey!, order);
            (items, toDelete) = ExtractToDeleteItems(items);
        }

        var sorted = new List<(JsonNode? Item, int Index)>(items.Select(item => (item, IndexIn(order, item, mergeKey, kind))));
        for (var i = 1; i < sorted.Count; i++)
        {
            for (var j = i; j > 0 && Less(sorted[j].Index, sorted[j - 1].Index); j--)
            {
                (sorted[j], sorted[j - 1]) = (sorted[j - 1], sorted[j]);
            }
        }

        return [.. sorted.Select(s => s.Item), .. toDelete];

        static bool Less(int a, int b) => a < 0 || b < 0 || a < b;
    }

    private static void ValidateMergeKeys(string mergeKey, List<JsonNode?> items)
    {
        foreach (var item in items)
        {
            if (item is not JsonObject map)
            {
                throw PatchErrors.Internal(BadArgType(MapType, item));
            }

            if (!map.ContainsKey(mergeKey))
            {
                throw PatchErrors.Internal(NoMergeKey(map, mergeKey));
            }
        }
    }

    private static (List<JsonNode?> NonDelete, List<JsonNode?> ToDelete) ExtractToDeleteItems(List<JsonNode?> items)
    {
        var nonDelete = new List<JsonNode?>();
        var toDelete = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (item is not JsonObject map)
            {
                throw PatchErrors.Internal(BadArgType(MapType, item));
            }

            var isDelete = map.TryGetPropertyValue(DirectiveMarker, out var directive) && DirectiveName(directive) == "delete";
            (isDelete ? toDelete : nonDelete).Add(item);
        }

        return (nonDelete, toDelete);
    }

    /// <summary>The position of an element (by merge key for maps, by value otherwise) in a list; -1 if absent.</summary>
    private static int IndexIn(List<JsonNode?> list, JsonNode? item, string? mergeKey, Kind kind)
    {
        var wanted = KeyOf(item);
        for (var i = 0; i < list.Count; i++)
        {
            if (GoEquals(wanted, KeyOf(list[i])))
            {
                return i;
            }
        }

        return -1;

        JsonNode? KeyOf(JsonNode? element) => kind == Kind.Map ? (element as JsonObject)?[mergeKey!] : element;
    }

    /// <summary>The common Go type of the elements of the lists: 422 for lists of lists, 500 for mixed or no elements.</summary>
    private static Kind SliceElementType(params List<JsonNode?>[] lists)
    {
        Kind? previous = null;
        foreach (var item in lists.SelectMany(list => list))
        {
            var kind = KindOf(item);
            if (previous is null)
            {
                if (kind == Kind.Slice)
                {
                    throw PatchErrors.Unprocessable("lists of lists are not supported");
                }

                previous = kind;
            }
            else if (previous != kind)
            {
                var all = string.Join(" ", lists.Select(list => GoText.FormatValue(new JsonArray([.. list.Select(i => i?.DeepClone())]))));
                throw PatchErrors.Internal($"list element types are not identical: [{all}]");
            }
        }

        return previous ?? throw PatchErrors.Internal("no elements in any of the given slices");
    }

    /// <summary>
    /// Stores a value taken whole from the patch (the key is new or changes type): nulls inside it are
    /// dropped, a map carrying <c>$patch</c> is dropped (the key is removed), other directives are stripped.
    /// </summary>
    private static void SetFromPatch(JsonObject original, string key, JsonNode patchValue)
    {
        var (value, keep) = TakeValue(patchValue);
        if (keep)
        {
            original[key] = value;
        }
        else
        {
            original.Remove(key);
        }
    }

    /// <summary>apimachinery <c>discardNullValuesFromPatch</c> then <c>removeDirectives</c>, on a copy.</summary>
    private static (JsonNode? Value, bool Keep) TakeValue(JsonNode? value) => RemoveDirectives(DiscardNulls(value?.DeepClone()));

    private static (JsonNode? Value, bool Keep) RemoveDirectives(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject map:
                if (map.ContainsKey(DirectiveMarker))
                {
                    return (null, false);
                }

                foreach (var (key, member) in map.ToList())
                {
                    var (cleaned, keep) = RemoveDirectives(member);
                    if (!keep || key.StartsWith('$'))
                    {
                        map.Remove(key);
                    }
                    else if (!ReferenceEquals(cleaned, member))
                    {
                        map[key] = cleaned;
                    }
                }

                return (map, true);
            case JsonArray list:
                var items = Detach(list);
                foreach (var item in items)
                {
                    var (cleaned, keep) = RemoveDirectives(item);
                    if (keep)
                    {
                        list.Add(cleaned);
                    }
                }

                return (list, true);
            default:
                return (value, true);
        }
    }

    /// <summary>Removes null members of maps at any depth (null list elements stay).</summary>
    private static JsonNode? DiscardNulls(JsonNode? value)
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
                    DiscardNulls(member);
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    DiscardNulls(item);
                }

                break;
        }

        return value;
    }

    /// <summary>
    /// A patch value stored as the patch sent it (a replaced list, a <c>$patch: replace</c> map, an
    /// appended list element): directive keys stripped and null members dropped, as the apiserver's
    /// typed decoding would.
    /// </summary>
    private static JsonNode? Sanitize(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject map:
                foreach (var key in map.Where(p => p.Value is null || p.Key.StartsWith('$')).Select(p => p.Key).ToList())
                {
                    map.Remove(key);
                }

                foreach (var (_, member) in map)
                {
                    Sanitize(member);
                }

                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    Sanitize(item);
                }

                break;
        }

        return value;
    }

    /// <summary>The elements of a list, detached from it so they can move into another list.</summary>
    private static List<JsonNode?> Detach(JsonArray list)
    {
        var items = list.ToList();
        list.Clear();
        return items;
    }

    /// <summary>The field name after a directive prefix (<c>$setElementOrder/containers</c>); 400 when malformed.</summary>
    private static string ExtractKey(string key, string prefix, string error)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !key.AsSpan(0, slash).SequenceEqual(prefix))
        {
            throw PatchErrors.BadRequest(error);
        }

        return key[(slash + 1)..];
    }

    private static string? DirectiveName(JsonNode? directive) => KindOf(directive) == Kind.String ? directive!.GetValue<string>() : null;

    private static PatchException BadPatchType(JsonNode? directive, JsonObject map) =>
        PatchErrors.Internal($"unknown patch type: {GoText.FormatValue(directive)} in map: {GoText.FormatValue(map)}");

    private static string NoMergeKey(JsonObject map, string mergeKey) =>
        $"map: {GoText.FormatValue(map)} does not contain declared merge key: {mergeKey}";

    private static string BadArgType(string expected, JsonNode? actual) =>
        $"expected a {expected}, but received a {GoText.GoTypeName(actual)}";
}
