using System.Text.Json.Nodes;
using ApiCache.Security;
using ApiCache.Selectors;
using ApiCache.Serving;

namespace ApiCache.DevServer.Security;

/// <summary>
/// The spec of a SubjectAccessReview or SelfSubjectAccessReview: read strictly from the request
/// body, kept as Go would encode it back (fields in Go's order, empty ones left out: the answer
/// echoes it and its managed fields list it), validated as the apiserver validates it (422), and
/// turned into authorization attributes (a raw selector is parsed; selector requirements a field
/// selector cannot express make the selector count as none, as in the apiserver).
/// </summary>
internal sealed class AccessReviewSpec
{
    private static readonly string[] AttributeFields = ["namespace", "verb", "group", "version", "resource", "subresource", "name"];

    private AccessReviewSpec(JsonObject normalized)
    {
        Normalized = normalized;
    }

    /// <summary>The spec as the answer echoes it.</summary>
    public JsonObject Normalized { get; }

    private JsonObject? Resource => Normalized["resourceAttributes"] as JsonObject;

    private JsonObject? NonResource => Normalized["nonResourceAttributes"] as JsonObject;

    /// <summary>
    /// Reads the spec (of a self review: only the attributes, as its spec has no subject); throws
    /// <see cref="FormatException"/> (answered 400) when a field has the wrong JSON type.
    /// </summary>
    public static AccessReviewSpec Read(JsonObject review, bool self)
    {
        ArgumentNullException.ThrowIfNull(review);
        var spec = ReviewJson.Object(review, "spec", "spec", "SubjectAccessReviewSpec") ?? [];
        var normalized = new JsonObject();
        if (ReviewJson.Object(spec, "resourceAttributes", "spec", "ResourceAttributes") is { } resource)
        {
            var attributes = new JsonObject();
            foreach (var field in AttributeFields)
            {
                SetString(attributes, field, ReviewJson.String(resource, field, "spec.resourceAttributes"));
            }

            foreach (var selector in (ReadOnlySpan<string>)["fieldSelector", "labelSelector"])
            {
                if (ReviewJson.Object(resource, selector, "spec.resourceAttributes", "SelectorAttributes") is { } raw)
                {
                    attributes[selector] = ReadSelector(raw, "spec.resourceAttributes." + selector);
                }
            }

            normalized["resourceAttributes"] = attributes;
        }

        if (ReviewJson.Object(spec, "nonResourceAttributes", "spec", "NonResourceAttributes") is { } nonResource)
        {
            var attributes = new JsonObject();
            SetString(attributes, "path", ReviewJson.String(nonResource, "path", "spec.nonResourceAttributes"));
            SetString(attributes, "verb", ReviewJson.String(nonResource, "verb", "spec.nonResourceAttributes"));
            normalized["nonResourceAttributes"] = attributes;
        }

        if (self)
        {
            return new AccessReviewSpec(normalized);
        }

        SetString(normalized, "user", ReviewJson.String(spec, "user", "spec"));
        SetStrings(normalized, "groups", ReviewJson.Strings(spec, "groups", "spec"));
        if (ReviewJson.Object(spec, "extra", "spec", "map[string]ExtraValue") is { Count: > 0 } extra)
        {
            var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            foreach (var (key, _) in extra)
            {
                map[key] = ReviewJson.Strings(extra, key, "spec.extra");
            }

            normalized["extra"] = ReviewJson.Extra(map);
        }

        SetString(normalized, "uid", ReviewJson.String(spec, "uid", "spec"));
        return new AccessReviewSpec(normalized);
    }

    /// <summary>The apiserver's validation errors (a SelfSubjectAccessReview names no user).</summary>
    public List<FieldError> Validate(bool self)
    {
        var errors = new List<FieldError>();
        if (Resource is not null && NonResource is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec", "exactly one of nonResourceAttributes or resourceAttributes must be specified",
                new GoValue($"&NonResourceAttributes{{Path:{Text(NonResource, "path")},Verb:{Text(NonResource, "verb")},}}")));
        }

        if (Resource is null && NonResource is null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec", "exactly one of nonResourceAttributes or resourceAttributes must be specified", "null"));
        }

        if (!self && Text(Normalized, "user").Length == 0 && Normalized["groups"] is null)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, "spec.user", "at least one of user or group must be specified", ""));
        }

        foreach (var selector in (ReadOnlySpan<string>)["fieldSelector", "labelSelector"])
        {
            if (Resource?[selector] is JsonObject attributes)
            {
                ValidateSelector(attributes, "spec.resourceAttributes." + selector, errors);
            }
        }

        return errors;
    }

    /// <summary>The user the review asks about (as given: nothing is added to its groups).</summary>
    public UserInfo Subject()
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (Normalized["extra"] is JsonObject map)
        {
            foreach (var (key, values) in map)
            {
                extra[key] = Strings(values);
            }
        }

        return new UserInfo(Text(Normalized, "user"), Text(Normalized, "uid"), Strings(Normalized["groups"]), extra.Count > 0 ? extra : UserInfo.NoExtra);
    }

    /// <summary>The authorization attributes of the review for <paramref name="user"/>.</summary>
    public AccessReviewAttributes Attributes(UserInfo user)
    {
        if (Resource is not { } resource)
        {
            var nonResource = NonResource ?? [];
            return new AccessReviewAttributes { User = user, Verb = Text(nonResource, "verb"), IsResourceRequest = false, Path = Text(nonResource, "path") };
        }

        return new AccessReviewAttributes
        {
            User = user,
            Verb = Text(resource, "verb"),
            Group = Text(resource, "group"),
            Version = Text(resource, "version"),
            Resource = Text(resource, "resource"),
            Subresource = Text(resource, "subresource"),
            Namespace = Text(resource, "namespace"),
            Name = Text(resource, "name"),
            FieldSelector = FieldRequirements(resource["fieldSelector"] as JsonObject),
            LabelSelector = LabelRequirements(resource["labelSelector"] as JsonObject),
        };
    }

    private static JsonObject ReadSelector(JsonObject raw, string path)
    {
        var selector = new JsonObject();
        SetString(selector, "rawSelector", ReviewJson.String(raw, "rawSelector", path));
        if (raw["requirements"] is JsonArray requirements && requirements.Count > 0)
        {
            var list = new JsonArray();
            for (var i = 0; i < requirements.Count; i++)
            {
                var item = requirements[i] as JsonObject ?? throw ReviewJson.TypeError(requirements[i] ?? JsonValue.Create(false), path + ".requirements", "SelectorRequirement");
                var requirement = new JsonObject
                {
                    ["key"] = ReviewJson.String(item, "key", path + ".requirements"),
                    ["operator"] = ReviewJson.String(item, "operator", path + ".requirements"),
                };
                SetStrings(requirement, "values", ReviewJson.Strings(item, "values", path + ".requirements"));
                list.Add(requirement);
            }

            selector["requirements"] = list;
        }
        else if (raw["requirements"] is { } other and not JsonArray)
        {
            throw ReviewJson.TypeError(other, path + ".requirements", "[]SelectorRequirement");
        }

        return selector;
    }

    private static void ValidateSelector(JsonObject selector, string path, List<FieldError> errors)
    {
        var raw = Text(selector, "rawSelector");
        var requirements = (selector["requirements"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (raw.Length > 0 && requirements.Count > 0)
        {
            errors.Add(new FieldError(FieldErrorType.Invalid, path + ".rawSelector", "may not specified at the same time as requirements", raw));
        }

        if (raw.Length == 0 && requirements.Count == 0)
        {
            errors.Add(new FieldError(FieldErrorType.Required, path + ".requirements", $"when {path} is specified, requirements or rawSelector is required"));
        }

        for (var i = 0; i < requirements.Count; i++)
        {
            var where = $"{path}.requirements[{i}]";
            var values = Strings(requirements[i]["values"]);
            if (Text(requirements[i], "key").Length == 0)
            {
                errors.Add(new FieldError(FieldErrorType.Required, where + ".key", "must be specified"));
            }

            switch (Text(requirements[i], "operator"))
            {
                case "In" or "NotIn" when values.Count == 0:
                    errors.Add(new FieldError(FieldErrorType.Required, where + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    break;
                case "Exists" or "DoesNotExist" when values.Count > 0:
                    errors.Add(new FieldError(FieldErrorType.Forbidden, where + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    break;
            }
        }
    }

    /// <summary>
    /// A field selector's requirements: parsed from the raw selector, or taken from the requirements
    /// when each is In/NotIn with one value (what a field selector can express); otherwise none.
    /// </summary>
    private static IReadOnlyList<SelectorRequirement> FieldRequirements(JsonObject? selector)
    {
        if (selector is null)
        {
            return [];
        }

        var raw = Text(selector, "rawSelector");
        if (raw.Length > 0)
        {
            return FieldSelector.TryParse(raw, out var parsed, out _) ? SelectorRequirement.FromFields(parsed) : [];
        }

        var requirements = Requirements(selector);
        return requirements.All(r => r.Operator is "In" or "NotIn" && r.Values.Count == 1) ? requirements : [];
    }

    private static IReadOnlyList<SelectorRequirement> LabelRequirements(JsonObject? selector)
    {
        if (selector is null)
        {
            return [];
        }

        var raw = Text(selector, "rawSelector");
        if (raw.Length > 0)
        {
            return LabelSelector.TryParse(raw, out var parsed, out _) ? SelectorRequirement.FromLabels(parsed) : [];
        }

        return Requirements(selector);
    }

    private static List<SelectorRequirement> Requirements(JsonObject selector) =>
        [.. ((selector["requirements"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Select(r => new SelectorRequirement(Text(r, "key"), Text(r, "operator"), Strings(r["values"])))];

    private static void SetString(JsonObject owner, string key, string value)
    {
        if (value.Length > 0)
        {
            owner[key] = value;
        }
    }

    private static void SetStrings(JsonObject owner, string key, List<string> values)
    {
        if (values.Count > 0)
        {
            owner[key] = new JsonArray([.. values.Select(v => (JsonNode?)v)]);
        }
    }

    private static string Text(JsonObject owner, string key) => owner[key]?.GetValue<string>() ?? "";

    private static List<string> Strings(JsonNode? list) => [.. (list as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? "")];

    /// <summary>A value Go prints with its String method (no quotes), as field errors show structs.</summary>
    private sealed class GoValue(string text)
    {
        public override string ToString() => text;
    }
}
