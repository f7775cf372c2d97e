namespace ApiCache.Tests.Serving.Differential;

/// <summary>
/// Generates the differential cases. LISTs: resources × namespaces (all, one, an empty one, a missing
/// one) × label selectors × field selectors × resourceVersion modes × limits — 5 × 4 × 11 × 8 × 7 × 5
/// cells, far too many to send, so a seeded <see cref="Random"/> samples them (each value of each
/// dimension still comes up many times; the seed is printed to replay a run). GETs and the ways of
/// asking (Accept, User-Agent, pretty, gzip) are listed in full.
/// </summary>
internal static class DifferentialMatrix
{
    /// <summary>The namespace with the bulk configmaps (a list of more than 128 KiB).</summary>
    public const string BulkNamespace = "bulk";

    /// <summary>A namespace that exists and stays empty.</summary>
    public const string EmptyNamespace = "empty-ns";

    private const string MissingNamespace = "no-such-ns";

    /// <summary>Label selectors by kind, and how often each kind is drawn (no selector most often, so that combinations still list something).</summary>
    private static readonly ((string Name, string[] Selectors) Kind, int Weight)[] LabelSelectors =
    [
        (("none", [""]), 9),
        (("eq", ["app=web", "tier=backend"]), 1),
        (("dbleq", ["app==db"]), 1),
        (("neq", ["app!=web", "release!=canary"]), 1),
        (("in", ["tier in (frontend,backend)", "app in (db)"]), 1),
        (("notin", ["app notin (web)", "tier notin (frontend,x)"]), 1),
        (("exists", ["release", "app"]), 1),
        (("!exists", ["!release", "!app"]), 1),
        (("multiple", ["app=web,tier=backend,!release", "app in (web,db),release", "tier,app!=db"]), 1),
        (("nomatch", ["app=nothing-matches"]), 1),
        (("malformed", ["app===web", "app in (web", "app=web!", "!"]), 1),
    ];

    /// <summary>Field selector kinds and how often each is drawn.</summary>
    private static readonly (string Kind, int Weight)[] FieldKinds =
    [
        ("none", 8), ("metadata.name", 2), ("metadata.namespace", 1), ("spec.nodeName", 2), ("status.phase", 2), ("spec.hostNetwork", 1),
        ("unsupported", 1), ("malformed", 1),
    ];

    /// <summary>Namespaces of namespaced resources: all, one, an empty one, a missing one.</summary>
    private static readonly ((string Label, string? Namespace) Scope, int Weight)[] Namespaces =
    [
        (("all", null), 4), (("one", "team-a"), 4), (("empty", EmptyNamespace), 1), (("missing", MissingNamespace), 1),
    ];

    private static readonly (RvMode Mode, int Weight)[] RvWeights =
    [
        (RvMode.Unset, 6), (RvMode.Zero, 4), (RvMode.CurrentNotOlderThan, 4), (RvMode.OldExact, 5),
        (RvMode.LegacyExactWithLimit, 4), (RvMode.Future, 1), (RvMode.Garbage, 2),
    ];

    private static readonly long?[] Limits = [null, 1, 3, 500, -1];

    private static readonly (HeaderVariant Variant, int Weight)[] HeaderWeights =
    [
        (HeaderVariant.Json, 12), (HeaderVariant.NoAccept, 2), (HeaderVariant.Kubelet, 3), (HeaderVariant.JsonAndAny, 2),
        (HeaderVariant.KubectlTable, 1), (HeaderVariant.TableOnly, 1), (HeaderVariant.ProtobufOnly, 1), (HeaderVariant.Curl, 2), (HeaderVariant.Gzip, 2),
    ];

    /// <summary><paramref name="count"/> LIST cells sampled from the product.</summary>
    public static List<DifferentialCase> SampledLists(Random random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var cases = new List<DifferentialCase>(count);
        for (var i = 0; i < count; i++)
        {
            var resource = Pick(random, DifferentialResource.All);
            var (nsLabel, ns) = resource.Namespaced || random.Next(10) == 0 ? Weighted(random, Namespaces) : ("all", null);
            var (labelName, labelSelectors) = Weighted(random, LabelSelectors);
            var labelSelector = Pick(random, labelSelectors);
            var fieldKind = Weighted(random, FieldKinds);
            var fieldSelector = Pick(random, FieldSelectorsFor(resource, fieldKind));
            var rv = Weighted(random, RvWeights);
            var limit = Pick(random, Limits);
            if (rv == RvMode.LegacyExactWithLimit && limit is not > 0)
            {
                limit = 3; // the legacy Exact form needs a limit
            }

            var headers = Weighted(random, HeaderWeights);
            var pretty = random.Next(20) == 0;
            var notOlderThan = random.Next(2) == 0;
            cases.Add(new DifferentialCase
            {
                Label = $"list {resource.Name} ns={nsLabel} label={labelName} field={fieldKind} rv={rv}{(notOlderThan ? "+match" : "")} limit={limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} headers={headers}{(pretty ? " pretty" : "")}",
                Resource = resource,
                IsList = true,
                Path = resource.CollectionPath(ns),
                LabelSelector = labelSelector,
                FieldSelector = fieldSelector,
                Rv = rv,
                NotOlderThanMatch = notOlderThan,
                Limit = limit,
                Headers = headers,
                Pretty = pretty,
            });
        }

        return cases;
    }

    /// <summary>GETs of every resource: existing, missing, in a missing namespace, at every resourceVersion mode, asked in several ways.</summary>
    public static List<DifferentialCase> Gets()
    {
        var cases = new List<DifferentialCase>();
        foreach (var resource in DifferentialResource.All)
        {
            var kept = resource.ObjectPath(resource.KeptNamespace, resource.KeptName);
            var missing = resource.ObjectPath(resource.KeptNamespace, "no-such-object");
            Add("existing", kept, RvMode.Unset);
            Add("existing", kept, RvMode.Zero);
            Add("existing", kept, RvMode.CurrentNotOlderThan);
            Add("existing", kept, RvMode.OldExact);
            Add("existing", kept, RvMode.Garbage);
            Add("existing", kept, RvMode.Unset, HeaderVariant.Curl);
            Add("existing", kept, RvMode.Zero, HeaderVariant.Kubelet);
            Add("existing", kept, RvMode.Unset, HeaderVariant.NoAccept);
            Add("existing", kept, RvMode.Unset, HeaderVariant.KubectlTable);
            Add("existing", kept, RvMode.Unset, pretty: true);
            Add("missing", missing, RvMode.Unset);
            Add("missing", missing, RvMode.Zero);
            Add("missing", missing, RvMode.CurrentNotOlderThan);
            Add("missing", missing, RvMode.Unset, HeaderVariant.Curl);
            if (resource.Namespaced)
            {
                Add("missing-namespace", resource.ObjectPath(MissingNamespace, resource.KeptName), RvMode.Unset);
                Add("missing-namespace", resource.ObjectPath(MissingNamespace, resource.KeptName), RvMode.Zero);
            }

            if (resource.Name == "pods")
            {
                Add("existing", kept, RvMode.Future);
            }

            void Add(string what, string path, RvMode rv, HeaderVariant headers = HeaderVariant.Json, bool pretty = false) =>
                cases.Add(new DifferentialCase
                {
                    Label = $"get {resource.Name} {what} rv={rv} headers={headers}{(pretty ? " pretty" : "")}",
                    Resource = resource,
                    IsList = false,
                    Path = path,
                    Rv = rv,
                    Headers = headers,
                    Pretty = pretty,
                });
        }

        return cases;
    }

    /// <summary>
    /// Every way of asking, on every resource's full list; <c>pretty=true</c>; and gzip on a list over
    /// 128 KiB (the bulk configmaps), compact, indented and paged, besides a small list that stays uncompressed.
    /// </summary>
    public static List<DifferentialCase> AcceptVariants()
    {
        var cases = new List<DifferentialCase>();
        foreach (var resource in DifferentialResource.All)
        {
            foreach (var variant in Enum.GetValues<HeaderVariant>())
            {
                cases.Add(List(resource, resource.CollectionPath(null), variant));
            }

            cases.Add(List(resource, resource.CollectionPath(null), HeaderVariant.Json, pretty: true));
            cases.Add(List(resource, resource.CollectionPath(null), HeaderVariant.Json, pretty: true, limit: 2));
        }

        var configMaps = DifferentialResource.All.Single(r => r.Name == "configmaps");
        var bulk = configMaps.CollectionPath(BulkNamespace);
        cases.Add(List(configMaps, bulk, HeaderVariant.Gzip));
        cases.Add(List(configMaps, bulk, HeaderVariant.Gzip, rv: RvMode.Zero));
        cases.Add(List(configMaps, bulk, HeaderVariant.Gzip, limit: 500));
        cases.Add(List(configMaps, bulk, HeaderVariant.Gzip, limit: 1));
        cases.Add(List(configMaps, bulk, HeaderVariant.Gzip, pretty: true));
        cases.Add(List(configMaps, bulk, HeaderVariant.Curl));
        cases.Add(List(configMaps, bulk, HeaderVariant.KubectlTable));
        cases.Add(List(configMaps, bulk, HeaderVariant.Json));
        cases.Add(List(configMaps, configMaps.CollectionPath(null), HeaderVariant.Gzip, rv: RvMode.CurrentNotOlderThan));
        return cases;

        static DifferentialCase List(DifferentialResource resource, string path, HeaderVariant headers, bool pretty = false, long? limit = null, RvMode rv = RvMode.Unset) =>
            new()
            {
                Label = $"list {resource.Name} {path} headers={headers} rv={rv} limit={limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}{(pretty ? " pretty" : "")}",
                Resource = resource,
                IsList = true,
                Path = path,
                Rv = rv,
                NotOlderThanMatch = true,
                Limit = limit,
                Headers = headers,
                Pretty = pretty,
            };
    }

    /// <summary>The field selectors of one kind, for one resource (unsupported ones included: they must get the same 400).</summary>
    private static string[] FieldSelectorsFor(DifferentialResource resource, string kind) => kind switch
    {
        "none" => [""],
        "metadata.name" => [$"metadata.name={resource.KeptName}", $"metadata.name!={resource.KeptName}", "metadata.name==no-such-object"],
        "metadata.namespace" => ["metadata.namespace=team-b", "metadata.namespace!=team-a"],
        "spec.nodeName" => ["spec.nodeName=node-1", "spec.nodeName=", "spec.nodeName=,status.phase!=Succeeded,status.phase!=Failed", "spec.host=node-2"],
        "status.phase" => [resource.PhaseSelector, resource.PhaseSelector.Replace("=", "!=", StringComparison.Ordinal)],
        "spec.hostNetwork" => ["spec.hostNetwork=false", "spec.hostNetwork!=false", "spec.hostNetwork=true"],
        "unsupported" => ["spec.foo=bar", "metadata.uid=x"],
        "malformed" => ["spec.nodeName", "spec.nodeName in (node-1)", "metadata.name=a,"],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown field selector kind"),
    };

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static T Weighted<T>(Random random, (T Value, int Weight)[] weights)
    {
        var roll = random.Next(weights.Sum(w => w.Weight));
        foreach (var (value, weight) in weights)
        {
            if (roll < weight)
            {
                return value;
            }

            roll -= weight;
        }

        return weights[^1].Value;
    }
}
