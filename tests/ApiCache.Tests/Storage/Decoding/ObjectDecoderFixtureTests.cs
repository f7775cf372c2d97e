using System.Text;
using ApiCache.Selectors;
using ApiCache.Storage;
using ApiCache.Tests.Selectors;

namespace ApiCache.Tests.Storage.Decoding;

/// <summary>
/// <see cref="ObjectDecoder"/> on objects recorded from a real kube-apiserver: pods, nodes, configmaps
/// and a custom resource, as LIST items, single GETs and watch event objects.
/// </summary>
public sealed class ObjectDecoderFixtureTests
{
    private const string PodList = "02-list-pods-all";

    private static readonly ObjectSchema PodSchema = ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]);
    private static readonly ObjectSchema NodeSchema = ObjectSchema.ForBuiltIn("", "Node", []);
    private static readonly ObjectSchema WidgetSchema = new(["spec.color", "spec.size", "status.ready"], []);

    [Fact]
    public void TryDecode_PodListItems_KeepBytesAndExtractMetadata()
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var items = DecodingFixtures.ListItems(PodList);
        Assert.Equal(12, items.Count);
        foreach (var item in items)
        {
            Assert.True(decoder.TryDecode(item, out var pod, out var hadTypeMeta, out var error), error);
            var expected = DecodingFixtures.Expected(item);
            Assert.False(hadTypeMeta);
            Assert.Equal(item, pod.Json);
            Assert.Equal(new ObjectKey(expected.Namespace, expected.Name), pod.Key);
            Assert.Equal(expected.Uid, pod.Uid);
            Assert.Equal(expected.ResourceVersion, pod.ResourceVersion);
            Assert.Equal(expected.Labels.ToArray(), pod.Labels.ToArray());
            Assert.Same(PodSchema, pod.Schema);
        }
    }

    [Fact]
    public void TryDecode_PodListItems_FieldsRenderAsTheApiserverFieldSet()
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        foreach (var item in DecodingFixtures.ListItems(PodList))
        {
            Assert.True(decoder.TryDecode(item, out var pod, out var error), error);
            var podIps = DecodingFixtures.StringAt(item, "status.podIP");
            Assert.Equal(DecodingFixtures.StringAt(item, "spec.nodeName") ?? "", pod.GetFieldValue("spec.nodeName"));
            Assert.Equal(DecodingFixtures.StringAt(item, "spec.restartPolicy"), pod.GetFieldValue("spec.restartPolicy"));
            Assert.Equal(DecodingFixtures.StringAt(item, "spec.schedulerName"), pod.GetFieldValue("spec.schedulerName"));
            Assert.Equal(DecodingFixtures.StringAt(item, "spec.serviceAccountName"), pod.GetFieldValue("spec.serviceAccountName"));
            Assert.Equal(DecodingFixtures.StringAt(item, "status.phase"), pod.GetFieldValue("status.phase"));
            Assert.Equal(podIps ?? "", pod.GetFieldValue("status.podIP"));
            Assert.Equal("false", pod.GetFieldValue("spec.hostNetwork"));
            Assert.Equal("", pod.GetFieldValue("status.podIPs"));
            Assert.Equal("", pod.GetFieldValue("status.nominatedNodeName"));
            Assert.Equal(pod.Namespace, pod.GetFieldValue("metadata.namespace"));
            Assert.Equal(pod.Name, pod.GetFieldValue("metadata.name"));
        }
    }

    [Fact]
    public void TryDecode_RunningAndUnscheduledPods_KnownValues()
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var pods = DecodePods(decoder).ToDictionary(static p => p.Key.ToString(), StringComparer.Ordinal);

        var web1 = pods["team-a/web-1"];
        Assert.Equal("node-1", web1.GetFieldValue("spec.nodeName"));
        Assert.Equal("Running", web1.GetFieldValue("status.phase"));
        Assert.Equal("10.244.1.11", web1.GetFieldValue("status.podIP"));
        Assert.Equal("Always", web1.GetFieldValue("spec.restartPolicy"));
        Assert.Equal("default-scheduler", web1.GetFieldValue("spec.schedulerName"));
        Assert.Equal("default", web1.GetFieldValue("spec.serviceAccountName"));
        Assert.Equal("d4d925c4-e2be-43b5-bbc8-31255e2742ed", web1.Uid);
        Assert.Equal(238, web1.ResourceVersion);
        Assert.Equal([KeyValuePair.Create("app", "web"), KeyValuePair.Create("tier", "frontend")], web1.Labels.ToArray());

        var batch1 = pods["team-b/batch-1"];
        Assert.Equal("", batch1.GetFieldValue("spec.nodeName"));
        Assert.Equal("Pending", batch1.GetFieldValue("status.phase"));
        Assert.Equal("", batch1.GetFieldValue("status.podIP"));

        var web3 = pods["team-a/web-3"];
        Assert.True(web3.TryGetLabel("release", out var release));
        Assert.Equal("canary", release);
        Assert.False(web3.TryGetLabel("missing", out _));
    }

    [Fact]
    public void TryDecode_PodListItems_ShareInternedNamespacesAndLabels()
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var pods = DecodePods(decoder);
        var teamA = pods.Where(static p => p.Namespace == "team-a").ToArray();
        Assert.True(teamA.Length > 1);
        Assert.All(teamA, p => Assert.Same(teamA[0].Namespace, p.Namespace));
        var appKeys = pods.Select(static p => p.Labels[0].Key).ToArray();
        Assert.All(appKeys, k => Assert.Same(appKeys[0], k));
        var node1 = pods.Where(static p => p.GetFieldValue("spec.nodeName") == "node-1").ToArray();
        Assert.True(node1.Length > 1);
        Assert.All(node1, p => Assert.Same(node1[0].GetFieldValue("spec.nodeName"), p.GetFieldValue("spec.nodeName")));
    }

    [Theory]
    [InlineData("02-list-pods-field-nodeName-node-1")]
    [InlineData("02-list-pods-field-phase-Pending")]
    [InlineData("02-list-pods-field-unscheduled-scheduler-style")]
    [InlineData("02-list-pods-field-and-label-combined")]
    [InlineData("02-list-pods-field-metadata.name")]
    [InlineData("02-list-pods-ns-field-nodeName")]
    [InlineData("02-list-pods-label-eq")]
    [InlineData("02-list-pods-label-neq")]
    [InlineData("02-list-pods-label-in")]
    [InlineData("02-list-pods-label-notin")]
    [InlineData("02-list-pods-label-exists")]
    [InlineData("02-list-pods-label-notexists")]
    [InlineData("02-list-pods-label-multi")]
    public void TryDecode_PodList_SelectorsOnDecodedPodsSelectWhatTheApiserverSelected(string fixture)
    {
        // Same revision as the full list, so the apiserver filtered exactly these objects.
        Assert.Equal(DecodingFixtures.ListResourceVersion(PodList), DecodingFixtures.ListResourceVersion(fixture));
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var path = SelectorFixtures.Path(fixture);
        var labels = LabelSelector.Parse(SelectorFixtures.Query(fixture, "labelSelector"));
        var fields = FieldSelector.Parse(SelectorFixtures.Query(fixture, "fieldSelector"));

        var selected = DecodePods(decoder)
            .Where(p => !path.Contains("/namespaces/", StringComparison.Ordinal) || path.Contains($"/namespaces/{p.Namespace}/", StringComparison.Ordinal))
            .Where(p => labels.Matches(p) && fields.Matches(p))
            .Select(static p => p.Key.ToString());
        var expected = DecodingFixtures.ListItems(fixture).Select(static i => DecodingFixtures.Expected(i)).Select(static e => e.Namespace + "/" + e.Name);
        Assert.Equal(expected, selected);
    }

    [Fact]
    public void TryDecode_GetPod_StoresTheListItemBytes()
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var get = DecodingFixtures.Body("03-get-pod");
        Assert.True(ObjectDecoder.HasLeadingTypeMeta(get));
        Assert.True(decoder.TryDecode(get, out var pod, out var hadTypeMeta, out var error), error);
        Assert.True(hadTypeMeta);

        var item = FindItem("02-list-pods-NotOlderThan-older-rv", pod.Key, pod.ResourceVersion);
        Assert.Equal(item, pod.Json);
        Assert.Equal(DecodingFixtures.WithoutLeadingTypeMeta(get), pod.Json);
        Assert.True(decoder.TryDecode(item, out var fromList, out var itemHadTypeMeta, out error), error);
        Assert.False(itemHadTypeMeta);
        Assert.Equal(fromList.Labels.ToArray(), pod.Labels.ToArray());
        Assert.Equal(PodSchema.FieldPaths.Select(fromList.GetFieldValue), PodSchema.FieldPaths.Select(pod.GetFieldValue));
        Assert.Equal("10.244.1.11", pod.GetFieldValue("status.podIP"));
    }

    [Fact]
    public void TryDecode_PrettyPrintedGetPod_DropsTypeMetaAndReadsTheSameValues()
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var body = DecodingFixtures.Body("02-get-pod-curl-ua-pretty-printed");
        Assert.True(ObjectDecoder.HasLeadingTypeMeta(body));
        Assert.True(decoder.TryDecode(body, out var pretty, out var hadTypeMeta, out var error), error);
        Assert.True(hadTypeMeta);
        var text = Encoding.UTF8.GetString(pretty.Json);
        Assert.StartsWith("{\n  \"metadata\": {", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"kind\": \"Pod\"", text, StringComparison.Ordinal);
        Assert.EndsWith("}", text, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetString(body).TrimEnd('\n').Replace("\n  \"kind\": \"Pod\",\n  \"apiVersion\": \"v1\",", "", StringComparison.Ordinal), text);
        Assert.Equal(new ObjectKey("team-b", "db-0"), pretty.Key);
        Assert.Equal(DecodingFixtures.StringAt(body, "spec.nodeName"), pretty.GetFieldValue("spec.nodeName"));
        Assert.Equal(DecodingFixtures.StringAt(body, "status.phase"), pretty.GetFieldValue("status.phase"));
        Assert.Equal(DecodingFixtures.StringAt(body, "status.podIP") ?? "", pretty.GetFieldValue("status.podIP"));
    }

    [Fact]
    public void TryDecode_GetNode_StoresTheListItemBytes()
    {
        var decoder = new ObjectDecoder(NodeSchema, namespaced: false);
        Assert.True(decoder.TryDecode(DecodingFixtures.Body("03-get-node"), out var node, out var hadTypeMeta, out var error), error);
        Assert.True(hadTypeMeta);
        Assert.Equal(FindItem("02-list-nodes-all", node.Key, node.ResourceVersion), node.Json);
        Assert.Equal(new ObjectKey("", "node-1"), node.Key);
        Assert.Equal("false", node.GetFieldValue("spec.unschedulable"));
        Assert.Equal(
            ["kubernetes.io/arch", "kubernetes.io/hostname", "kubernetes.io/os", "node-role.kubernetes.io/worker", "topology.kubernetes.io/zone"],
            node.Labels.ToArray().Select(static l => l.Key));
        Assert.True(node.TryGetLabel("node-role.kubernetes.io/worker", out var worker));
        Assert.Equal("", worker);
    }

    [Fact]
    public void TryDecode_NodeListItems_KeepBytesAndExtractMetadata()
    {
        var decoder = new ObjectDecoder(NodeSchema, namespaced: false);
        var items = DecodingFixtures.ListItems("02-list-nodes-all");
        Assert.Equal(3, items.Count);
        foreach (var item in items)
        {
            Assert.True(decoder.TryDecode(item, out var node, out var error), error);
            var expected = DecodingFixtures.Expected(item);
            Assert.Equal(item, node.Json);
            Assert.Equal(new ObjectKey("", expected.Name), node.Key);
            Assert.Equal(expected.Uid, node.Uid);
            Assert.Equal(expected.ResourceVersion, node.ResourceVersion);
            Assert.Equal(expected.Labels.ToArray(), node.Labels.ToArray());
        }
    }

    [Fact]
    public void TryDecode_WatchEventObjects_StoreTheListItemBytesOfTheSameRevision()
    {
        var podDecoder = new ObjectDecoder(PodSchema, namespaced: true);
        var nodeDecoder = new ObjectDecoder(NodeSchema, namespaced: false);
        string[] lists =
        [
            "06-compaction-step2-list-Exact-R1-etcd-compacted-apiserver-unaware",
            "06-compaction-step2-continue-old-token-etcd-compacted-apiserver-unaware",
            "02-list-nodes-Exact-older-rv",
        ];
        var items = lists.SelectMany(DecodingFixtures.ListItems).ToArray();
        var compared = 0;
        string[] watches = ["05-watch-pods-all-from-rv-bookmarks", "05-watch-pods-ns-team-a-from-rv", "05-watch-node1-identity-own-node-kubelet-style"];
        foreach (var watch in watches)
        {
            foreach (var (_, json) in DecodingFixtures.WatchObjects(watch))
            {
                var decoder = json.AsSpan().StartsWith("{\"kind\":\"Node\""u8) ? nodeDecoder : podDecoder;
                Assert.True(decoder.TryDecode(json, out var decoded, out var hadTypeMeta, out var error), error);
                Assert.True(hadTypeMeta);
                Assert.Equal(DecodingFixtures.WithoutLeadingTypeMeta(json), decoded.Json);
                var match = items.FirstOrDefault(i =>
                {
                    var e = DecodingFixtures.Expected(i);
                    return e.Namespace == decoded.Namespace && e.Name == decoded.Name && e.ResourceVersion == decoded.ResourceVersion;
                });
                if (match is not null)
                {
                    Assert.Equal(match, decoded.Json);
                    compared++;
                }
            }
        }

        Assert.True(compared >= 4, $"only {compared} watch objects had a list item of the same revision");
    }

    [Fact]
    public void TryDecode_ConfigMaps_DropOnlyTypeMetaAndKeepEscapes()
    {
        var decoder = new ObjectDecoder(ObjectSchema.ForBuiltIn("", "ConfigMap", []), namespaced: true);
        var get = DecodingFixtures.Body("03-get-configmap");
        Assert.True(decoder.TryDecode(get, out var configMap, out var hadTypeMeta, out var error), error);
        Assert.True(hadTypeMeta);
        Assert.Equal(DecodingFixtures.WithoutLeadingTypeMeta(get), configMap.Json);
        Assert.Contains("\\n", Encoding.UTF8.GetString(configMap.Json), StringComparison.Ordinal);
        Assert.Equal(new ObjectKey("team-a", "app-config"), configMap.Key);
        Assert.Equal(251, configMap.ResourceVersion);
        Assert.Equal([KeyValuePair.Create("app", "web")], configMap.Labels.ToArray());

        foreach (var item in DecodingFixtures.ListItems("02-list-configmaps-all"))
        {
            Assert.True(decoder.TryDecode(item, out var decoded, out error), error);
            var expected = DecodingFixtures.Expected(item);
            Assert.Equal(item, decoded.Json);
            Assert.Equal(new ObjectKey(expected.Namespace, expected.Name), decoded.Key);
            Assert.Equal(expected.ResourceVersion, decoded.ResourceVersion);
            Assert.Equal(expected.Labels.ToArray(), decoded.Labels.ToArray());
        }
    }

    [Fact]
    public void TryDecode_CustomResources_KeepTheirBytesExactly()
    {
        var decoder = new ObjectDecoder(WidgetSchema, namespaced: true);
        var get = DecodingFixtures.Body("03-get-widget");
        Assert.False(ObjectDecoder.HasLeadingTypeMeta(get));
        Assert.True(decoder.TryDecode(get, out var gizmo, out var hadTypeMeta, out var error), error);
        Assert.False(hadTypeMeta);
        Assert.Equal(get.AsSpan().TrimEnd("\n"u8).ToArray(), gizmo.Json);
        Assert.Equal(FindItem("02-list-widgets-after-mutation", gizmo.Key, gizmo.ResourceVersion), gizmo.Json);
        Assert.Equal("blue", gizmo.GetFieldValue("spec.color"));
        Assert.Equal("43", gizmo.GetFieldValue("spec.size"));
        Assert.Equal("", gizmo.GetFieldValue("status.ready"));
        Assert.Equal("ed21a00d-d936-4233-b987-538cc443dcdc", gizmo.Uid);

        var items = DecodingFixtures.ListItems("02-list-widgets-all");
        var watched = DecodingFixtures.WatchObjects("05-watchlist-widgets").Select(static e => e.Json);
        var count = 0;
        foreach (var json in items.Concat(watched))
        {
            Assert.True(decoder.TryDecode(json, out var widget, out hadTypeMeta, out error), error);
            Assert.False(hadTypeMeta);
            Assert.Equal(json, widget.Json);
            Assert.Equal(DecodingFixtures.StringAt(json, "spec.color"), widget.GetFieldValue("spec.color"));
            count++;
        }

        Assert.True(count >= 4);
        Assert.True(decoder.TryDecode(items[0], out var first, out error), error);
        Assert.Equal(("team-a/gizmo", "42"), (first.Key.ToString(), first.GetFieldValue("spec.size")));
    }

    private static List<CachedObject> DecodePods(ObjectDecoder decoder) =>
        [.. DecodingFixtures.ListItems(PodList).Select(item => decoder.TryDecode(item, out var pod, out var error) ? pod : throw new InvalidOperationException(error))];

    private static byte[] FindItem(string list, ObjectKey key, long resourceVersion)
    {
        var item = DecodingFixtures.ListItems(list).Single(i =>
        {
            var e = DecodingFixtures.Expected(i);
            return new ObjectKey(e.Namespace, e.Name) == key;
        });
        Assert.Equal(resourceVersion, DecodingFixtures.Expected(item).ResourceVersion);
        return item;
    }
}
