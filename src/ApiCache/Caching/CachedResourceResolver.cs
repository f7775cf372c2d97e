using System.Text.RegularExpressions;
using ApiCache.Configuration;
using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Caching;

/// <summary>
/// Turns <see cref="CacheOptions"/> into the definitions the cache runs, or into clear messages
/// naming each configuration mistake (checked at start-up by the options validator).
/// </summary>
internal static partial class CachedResourceResolver
{
    /// <summary>The resources cached when none are configured.</summary>
    public static IReadOnlyList<CachedResourceOptions> Defaults { get; } =
    [
        new() { Resource = "pods", IndexedFields = ["spec.nodeName"] },
        new() { Resource = "nodes" },
        new() { Resource = "namespaces" },
        new() { Resource = "services" },
        new() { Resource = "endpoints" },
        new() { Resource = "configmaps" },
        new() { Resource = "secrets" },
        new() { Resource = "serviceaccounts" },
        new() { Group = "apps", Resource = "deployments" },
    ];

    /// <summary>Resolves every enabled resource; <paramref name="errors"/> lists what is wrong (empty when all is well).</summary>
    /// <param name="options">The cache options.</param>
    /// <param name="errors">Receives one message per mistake.</param>
    /// <param name="etcdKeyPrefix">The apiserver's etcd prefix, under which resources' default key prefixes are laid out.</param>
    public static IReadOnlyList<CachedResourceDefinition> Resolve(CacheOptions options, List<string> errors, string etcdKeyPrefix = "/registry")
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        CheckShared(options, errors);
        var definitions = new List<CachedResourceDefinition>();
        var seen = new HashSet<(string, string)>();
        IReadOnlyList<CachedResourceOptions> entries = options.Resources is { } configured ? [.. configured] : Defaults;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var where = $"ApiCache:Cache:Resources:{i}";
            if (entry is null)
            {
                errors.Add($"{where} is empty.");
                continue;
            }

            var definition = ResolveOne(entry, options, etcdKeyPrefix, where, errors);
            if (definition is null)
            {
                continue;
            }

            if (!seen.Add((definition.Group, definition.Resource)))
            {
                errors.Add($"{where}: {definition.DisplayName} is listed more than once; cache each resource in one version only.");
                continue;
            }

            if (entry.Enabled)
            {
                definitions.Add(definition);
            }
        }

        return definitions;
    }

    private static void CheckShared(CacheOptions options, List<string> errors)
    {
        Positive(options.HistoryWindow, "ApiCache:Cache:HistoryWindow", errors);
        Positive(options.MinWatchTimeout, "ApiCache:Cache:MinWatchTimeout", errors);
        Positive(options.InitialBackoff, "ApiCache:Cache:InitialBackoff", errors);
        Positive(options.OverBudgetRetryDelay, "ApiCache:Cache:OverBudgetRetryDelay", errors);
        Positive(options.BackoffResetAfter, "ApiCache:Cache:BackoffResetAfter", errors);
        if (options.MaxBackoff < options.InitialBackoff)
        {
            errors.Add($"ApiCache:Cache:MaxBackoff ({options.MaxBackoff}) must not be shorter than InitialBackoff ({options.InitialBackoff}).");
        }

        if (options.MinWatchTimeout > TimeSpan.Zero && options.MinWatchTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"ApiCache:Cache:MinWatchTimeout must be at least 1 second (watch timeouts are whole seconds; got {options.MinWatchTimeout}).");
        }

        if (options.HistoryMaxEvents < 1)
        {
            errors.Add($"ApiCache:Cache:HistoryMaxEvents must be at least 1 (got {options.HistoryMaxEvents}).");
        }

        if (options.MaxBytesPerResource < 1)
        {
            errors.Add($"ApiCache:Cache:MaxBytesPerResource must be positive (got {options.MaxBytesPerResource}).");
        }

        if (options.ListPageSize is < 1 or > 100_000)
        {
            errors.Add($"ApiCache:Cache:ListPageSize must be between 1 and 100000 (got {options.ListPageSize}).");
        }
    }

    private static CachedResourceDefinition? ResolveOne(CachedResourceOptions entry, CacheOptions options, string etcdKeyPrefix, string where, List<string> errors)
    {
        var count = errors.Count;
        var group = entry.Group ?? "";
        var resource = entry.Resource ?? "";
        if (resource.Length == 0)
        {
            errors.Add($"{where}:Resource is required (the plural resource name, e.g. \"pods\").");
        }
        else if (!DnsLabel().IsMatch(resource))
        {
            errors.Add($"{where}:Resource \"{resource}\" is not a resource name (lower-case letters, digits and '-', e.g. \"pods\").");
        }

        if (group.Length > 0 && !DnsSubdomain().IsMatch(group))
        {
            errors.Add($"{where}:Group \"{group}\" is not an API group name (a DNS subdomain such as \"apps\" or \"example.com\"; empty for the core group).");
        }

        if (!ApiVersion().IsMatch(entry.Version ?? ""))
        {
            errors.Add($"{where}:Version \"{entry.Version}\" is not an API version (e.g. \"v1\", \"v1beta1\").");
        }

        var builtIn = BuiltInResources.TryGet(group, resource, out var kind, out var knownScope);
        var isCustom = !BuiltInResources.IsBuiltInGroup(group);
        bool namespaced;
        if (entry.Namespaced is bool configured)
        {
            namespaced = configured;
            if (builtIn && configured != knownScope)
            {
                errors.Add($"{where}: {resource} is {(knownScope ? "namespaced" : "cluster-scoped")}; remove Namespaced or set it to {(knownScope ? "true" : "false")}.");
            }
        }
        else if (builtIn)
        {
            namespaced = knownScope;
        }
        else
        {
            namespaced = false;
            errors.Add($"{where}:Namespaced must be set for {resource}{(group.Length > 0 ? "." + group : "")} (its scope is not built in).");
        }

        var indexed = entry.IndexedFields ?? (group.Length == 0 && resource == "pods" ? ["spec.nodeName"] : []);
        foreach (var field in indexed)
        {
            CheckFieldPath(field, $"{where}:IndexedFields", errors);
        }

        var selectable = entry.SelectableFields ?? [];
        if (selectable.Count > 0 && !isCustom)
        {
            errors.Add($"{where}:SelectableFields applies to custom resources only; {resource} has its field selectors built in.");
        }

        foreach (var field in selectable)
        {
            CheckFieldPath(field, $"{where}:SelectableFields", errors);
        }

        var window = entry.HistoryWindow ?? options.HistoryWindow;
        Positive(window, $"{where}:HistoryWindow", errors);
        var maxEvents = entry.HistoryMaxEvents ?? options.HistoryMaxEvents;
        if (entry.HistoryMaxEvents is < 1)
        {
            errors.Add($"{where}:HistoryMaxEvents must be at least 1 (got {entry.HistoryMaxEvents}).");
        }

        var maxBytes = entry.MaxBytes ?? options.MaxBytesPerResource;
        if (entry.MaxBytes is < 1)
        {
            errors.Add($"{where}:MaxBytes must be positive (got {entry.MaxBytes}).");
        }

        if (errors.Count > count)
        {
            return null;
        }

        var conversion = isCustom
            ? FieldLabelConversion.ForCustomResource(namespaced, selectable)
            : FieldLabelConversion.ForBuiltIn(group, kind);
        return new CachedResourceDefinition
        {
            Group = group,
            Version = entry.Version!,
            Resource = resource,
            Kind = builtIn ? kind : null,
            Namespaced = namespaced,
            IsCustomResource = isCustom,
            Schema = isCustom ? new ObjectSchema(conversion.SupportedFields, indexed) : ObjectSchema.ForBuiltIn(group, kind, indexed),
            FieldConversion = conversion,
            HistoryWindow = window,
            HistoryMaxEvents = maxEvents,
            MaxBytes = maxBytes,
            EtcdKeyPrefix = EtcdKeyPrefixOf(entry, group, resource, etcdKeyPrefix),
        };
    }

    private static string EtcdKeyPrefixOf(CachedResourceOptions entry, string group, string resource, string root)
    {
        if (!string.IsNullOrEmpty(entry.EtcdKeyPrefix))
        {
            return entry.EtcdKeyPrefix.EndsWith('/') ? entry.EtcdKeyPrefix : entry.EtcdKeyPrefix + "/";
        }

        return root.TrimEnd('/') + "/" + BuiltInResources.EtcdPath(group, resource) + "/";
    }

    private static void CheckFieldPath(string? field, string where, List<string> errors)
    {
        if (string.IsNullOrEmpty(field) || !FieldPath().IsMatch(field))
        {
            errors.Add($"{where}: \"{field}\" is not a field path (dot-separated JSON field names, e.g. \"spec.nodeName\").");
        }
        else if (field.StartsWith("metadata.labels", StringComparison.Ordinal) || field.StartsWith("metadata.annotations", StringComparison.Ordinal))
        {
            errors.Add($"{where}: \"{field}\" cannot be indexed as a field (labels have their own index; annotations are not selectable).");
        }
    }

    private static void Positive(TimeSpan value, string name, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive (got {value}).");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$")]
    private static partial Regex ApiVersion();

    [GeneratedRegex("^[A-Za-z_$][A-Za-z0-9_$-]*(\\.[A-Za-z_$][A-Za-z0-9_$-]*)*$")]
    private static partial Regex FieldPath();
}
