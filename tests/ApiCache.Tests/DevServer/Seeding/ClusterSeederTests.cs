using System.Globalization;
using System.Net;
using System.Text.Json;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Seeding;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Seeding;

public sealed class ClusterSeederTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 7, 50, 1, 500, TimeSpan.Zero);

    // The apiserver's member order (Go struct field order) at each level checked; the fixtures'
    // orders must be subsequences of these, and so must every seeded object's.
    private static readonly string[] TopOrder = ["kind", "apiVersion", "metadata", "spec", "status", "immutable", "data", "binaryData"];

    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    private static readonly string[] PodSpecOrder =
    [
        "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds",
        "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName", "serviceAccount", "automountServiceAccountToken",
        "nodeName", "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
        "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig",
        "readinessGates", "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
    ];

    private static readonly string[] PodStatusOrder =
    [
        "observedGeneration", "phase", "conditions", "message", "reason", "nominatedNodeName", "hostIP", "hostIPs", "podIP", "podIPs",
        "startTime", "initContainerStatuses", "containerStatuses", "qosClass",
    ];

    private static readonly string[] ContainerOrder =
    [
        "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources", "resizePolicy", "restartPolicy",
        "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
        "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
    ];

    private static readonly string[] ContainerStatusOrder =
        ["name", "state", "lastState", "ready", "restartCount", "image", "imageID", "containerID", "started"];

    private static readonly string[] NodeSpecOrder = ["podCIDR", "podCIDRs", "providerID", "unschedulable", "taints"];

    private static readonly string[] NodeStatusOrder =
        ["capacity", "allocatable", "phase", "conditions", "addresses", "daemonEndpoints", "nodeInfo", "images", "volumesInUse", "volumesAttached"];

    private static readonly string[] NodeInfoOrder =
    [
        "machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion", "kubeletVersion",
        "kubeProxyVersion", "operatingSystem", "architecture",
    ];

    private static readonly string[] NamespaceOrder = ["kind", "apiVersion", "metadata", "spec", "status"];

    private static readonly ResourceCatalog Catalog = new();

    [Fact]
    public async Task SeedAsync_SmallCluster_WritesEveryObjectUnderItsKey()
    {
        var (store, result) = await SeedAsync(new SeedOptions(Nodes: 5, Pods: 40, ConfigMaps: 12) { Namespaces = 3 });

        Assert.Equal(5, store.Keys("/registry/minions/").Count);
        Assert.Equal(40, store.Keys("/registry/pods/").Count);
        Assert.Equal(12, store.Keys("/registry/configmaps/").Count);
        Assert.Equal(
            ["/registry/namespaces/default", "/registry/namespaces/kube-node-lease", "/registry/namespaces/kube-public",
             "/registry/namespaces/kube-system", "/registry/namespaces/ns-0", "/registry/namespaces/ns-1", "/registry/namespaces/ns-2"],
            store.Keys("/registry/namespaces/"));
        Assert.Contains("/registry/minions/node-0000", store.Values.Keys);
        Assert.Contains("/registry/minions/node-0004", store.Values.Keys);
        Assert.Equal(new SeedResult(7, 5, 40, 12, store.Values.Values.Sum(v => (long)v.Length), store.Calls.Count, store.Revision), result);
        Assert.Equal(64, result.Objects);

        foreach (var (key, value) in store.Values)
        {
            using var document = JsonDocument.Parse(value);
            var metadata = document.RootElement.GetProperty("metadata");
            var name = metadata.GetProperty("name").GetString();
            var ns = metadata.TryGetProperty("namespace", out var nsElement) ? nsElement.GetString() : null;
            var resource = Catalog.Resources.Single(r => r.Kind == document.RootElement.GetProperty("kind").GetString());
            Assert.Equal(key, resource.KeyFor(ns, name!));
            Assert.Equal(resource.Namespaced, ns is not null);
            Assert.Equal("v1", document.RootElement.GetProperty("apiVersion").GetString());
        }
    }

    [Fact]
    public async Task SeedAsync_Objects_FollowTheApiserverMemberOrderOfTheFixtures()
    {
        using var fixturePod = JsonDocument.Parse(FixtureUpstream.FixtureBody("03-get-pod"));
        using var fixtureNode = JsonDocument.Parse(FixtureUpstream.FixtureBody("03-get-node"));
        using var fixtureConfigMap = JsonDocument.Parse(FixtureUpstream.FixtureBody("03-get-configmap"));
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 4, Pods: 200, ConfigMaps: 10) { Namespaces = 2, PendingPercent = 20 });

        // The canonical orders agree with the recorded objects.
        AssertOrder(TopOrder, fixturePod.RootElement);
        AssertOrder(MetadataOrder, fixturePod.RootElement.GetProperty("metadata"));
        AssertOrder(PodSpecOrder, fixturePod.RootElement.GetProperty("spec"));
        AssertOrder(PodStatusOrder, fixturePod.RootElement.GetProperty("status"));
        AssertOrder(ContainerOrder, fixturePod.RootElement.GetProperty("spec").GetProperty("containers")[0]);
        AssertOrder(ContainerStatusOrder, fixturePod.RootElement.GetProperty("status").GetProperty("containerStatuses")[0]);
        AssertOrder(MetadataOrder, fixtureNode.RootElement.GetProperty("metadata"));
        AssertOrder(NodeSpecOrder, fixtureNode.RootElement.GetProperty("spec"));
        AssertOrder(NodeStatusOrder, fixtureNode.RootElement.GetProperty("status"));
        AssertOrder(NodeInfoOrder, fixtureNode.RootElement.GetProperty("status").GetProperty("nodeInfo"));
        AssertOrder(TopOrder, fixtureConfigMap.RootElement);
        AssertOrder(MetadataOrder, fixtureConfigMap.RootElement.GetProperty("metadata"));

        foreach (var pod in store.Objects("/registry/pods/"))
        {
            var root = pod.RootElement;
            AssertOrder(TopOrder, root);
            AssertOrder(MetadataOrder, root.GetProperty("metadata"));
            AssertOrder(PodSpecOrder, root.GetProperty("spec"));
            AssertOrder(PodStatusOrder, root.GetProperty("status"));
            foreach (var container in root.GetProperty("spec").GetProperty("containers").EnumerateArray())
            {
                AssertOrder(ContainerOrder, container);
            }

            AssertNoServerOnlyMetadata(root);
            Assert.Equal(["kind", "apiVersion", "metadata", "spec", "status"], Names(root));
            if (root.GetProperty("status").GetProperty("phase").GetString() == "Running")
            {
                // Everything the recorded Running pod has in spec and status, a seeded Running pod has too.
                Assert.Subset(Names(root.GetProperty("spec")).ToHashSet(), Names(fixturePod.RootElement.GetProperty("spec")).ToHashSet());
                Assert.Subset(Names(root.GetProperty("status")).ToHashSet(), Names(fixturePod.RootElement.GetProperty("status")).ToHashSet());
                var status = root.GetProperty("status").GetProperty("containerStatuses")[0];
                AssertOrder(ContainerStatusOrder, status);
                Assert.Equal(Names(fixturePod.RootElement.GetProperty("status").GetProperty("containerStatuses")[0]), Names(status));
            }
        }

        foreach (var node in store.Objects("/registry/minions/"))
        {
            var root = node.RootElement;
            Assert.Equal(["kind", "apiVersion", "metadata", "spec", "status"], Names(root));
            AssertOrder(MetadataOrder, root.GetProperty("metadata"));
            AssertOrder(NodeSpecOrder, root.GetProperty("spec"));
            AssertOrder(NodeStatusOrder, root.GetProperty("status"));
            Assert.Equal(NodeInfoOrder, Names(root.GetProperty("status").GetProperty("nodeInfo")));
            Assert.Subset(Names(root.GetProperty("status")).ToHashSet(), Names(fixtureNode.RootElement.GetProperty("status")).ToHashSet());
            AssertNoServerOnlyMetadata(root);
        }

        foreach (var configMap in store.Objects("/registry/configmaps/"))
        {
            Assert.Equal(["kind", "apiVersion", "metadata", "data"], Names(configMap.RootElement));
            AssertOrder(MetadataOrder, configMap.RootElement.GetProperty("metadata"));
            AssertNoServerOnlyMetadata(configMap.RootElement);
        }

        foreach (var ns in store.Objects("/registry/namespaces/"))
        {
            Assert.Equal(NamespaceOrder, Names(ns.RootElement));
            Assert.Equal(["name", "uid", "creationTimestamp", "labels"], Names(ns.RootElement.GetProperty("metadata")));
            Assert.Equal("""{"finalizers":["kubernetes"]}""", ns.RootElement.GetProperty("spec").GetRawText());
            Assert.Equal("""{"phase":"Active"}""", ns.RootElement.GetProperty("status").GetRawText());
        }
    }

    [Fact]
    public async Task SeedAsync_Maps_HaveSortedKeysLikeGoMaps()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 6, Pods: 100, ConfigMaps: 20) { Namespaces = 4 });

        foreach (var (_, value) in store.Values)
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            var metadata = root.GetProperty("metadata");
            foreach (var map in new[] { "labels", "annotations" })
            {
                if (metadata.TryGetProperty(map, out var element))
                {
                    AssertSorted(Names(element));
                }
            }

            if (root.TryGetProperty("data", out var data))
            {
                AssertSorted(Names(data));
            }

            if (root.TryGetProperty("status", out var status) && status.TryGetProperty("capacity", out var capacity))
            {
                AssertSorted(Names(capacity));
                AssertSorted(Names(status.GetProperty("allocatable")));
            }
        }
    }

    [Fact]
    public async Task SeedAsync_Pods_AreBetweenTwoAndFourKiB()
    {
        var (store, result) = await SeedAsync(new SeedOptions(Nodes: 20, Pods: 2000, ConfigMaps: 0) { Namespaces = 7, PendingPercent = 10 });

        var sizes = store.Keys("/registry/pods/").Select(k => store.Values[k].Length).ToList();
        Assert.Equal(2000, sizes.Count);
        Assert.All(sizes, size => Assert.InRange(size, 2048, 4096));
        Assert.True(result.TotalBytes >= 2000L * 2048, $"total {result.TotalBytes}");
    }

    [Fact]
    public async Task SeedAsync_Pods_SpreadOverNodesAndNamespaces()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 30, Pods: 3000, ConfigMaps: 0) { Namespaces = 10 });

        var pods = store.Objects("/registry/pods/").Select(d => d.RootElement).ToList();
        var perNamespace = pods.GroupBy(p => p.GetProperty("metadata").GetProperty("namespace").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"ns-{i}").Order(), perNamespace.Keys.Order());
        Assert.All(perNamespace.Values, count => Assert.Equal(300, count));

        var perNode = pods.Where(p => p.GetProperty("spec").TryGetProperty("nodeName", out _))
            .GroupBy(p => p.GetProperty("spec").GetProperty("nodeName").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"node-{i:D4}"), perNode.Keys.Order());
        var average = perNode.Values.Average();
        Assert.All(perNode.Values, count => Assert.InRange(count, average / 2, average * 2));

        // Workloads: several apps per namespace, each a ReplicaSet of a few pods.
        var owners = pods.GroupBy(p => (
            p.GetProperty("metadata").GetProperty("namespace").GetString(),
            p.GetProperty("metadata").GetProperty("ownerReferences")[0].GetProperty("name").GetString())).ToList();
        Assert.Equal(600, owners.Count);
        Assert.All(owners, owner => Assert.Equal(5, owner.Count()));
        Assert.True(pods.Select(p => p.GetProperty("metadata").GetProperty("labels").GetProperty("app").GetString()).Distinct().Count() >= 8);
    }

    [Fact]
    public async Task SeedAsync_Pods_CarryWorkloadLabelsAndOwnerReferences()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 5, Pods: 500, ConfigMaps: 0) { Namespaces = 5 });

        var names = new HashSet<string>();
        var releases = new HashSet<string>();
        foreach (var document in store.Objects("/registry/pods/"))
        {
            var metadata = document.RootElement.GetProperty("metadata");
            var name = metadata.GetProperty("name").GetString()!;
            var generateName = metadata.GetProperty("generateName").GetString()!;
            var labels = metadata.GetProperty("labels");
            var owner = Assert.Single(metadata.GetProperty("ownerReferences").EnumerateArray());
            var ownerName = owner.GetProperty("name").GetString()!;
            var hash = labels.GetProperty("pod-template-hash").GetString()!;

            Assert.True(names.Add(metadata.GetProperty("namespace").GetString() + "/" + name), $"duplicate pod {name}");
            Assert.Equal(["app", "pod-template-hash", "release", "team", "tier"], Names(labels));
            Assert.StartsWith(generateName, name, StringComparison.Ordinal);
            Assert.Equal(generateName.Length + 5, name.Length);
            Assert.Equal(ownerName + "-", generateName);
            Assert.EndsWith("-" + hash, ownerName, StringComparison.Ordinal);
            Assert.StartsWith(labels.GetProperty("app").GetString()!, ownerName, StringComparison.Ordinal);
            Assert.Equal("ReplicaSet", owner.GetProperty("kind").GetString());
            Assert.Equal("apps/v1", owner.GetProperty("apiVersion").GetString());
            Assert.True(owner.GetProperty("controller").GetBoolean());
            Assert.Matches("^(frontend|backend|cache)$", labels.GetProperty("tier").GetString());
            releases.Add(labels.GetProperty("release").GetString()!);
        }

        Assert.Equal(500, names.Count);
        Assert.Equal(["canary", "stable"], releases.Order());
    }

    [Fact]
    public async Task SeedAsync_PendingPods_HaveNoNodeNameAndRunningPodsLiveOnTheirNode()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 8, Pods: 1000, ConfigMaps: 0) { Namespaces = 4, PendingPercent = 10 });

        var nodes = store.Objects("/registry/minions/").ToDictionary(
            n => n.RootElement.GetProperty("metadata").GetProperty("name").GetString()!, n => n.RootElement);
        var pending = 0;
        foreach (var document in store.Objects("/registry/pods/"))
        {
            var spec = document.RootElement.GetProperty("spec");
            var status = document.RootElement.GetProperty("status");
            var phase = status.GetProperty("phase").GetString();
            if (phase == "Pending")
            {
                pending++;
                Assert.False(spec.TryGetProperty("nodeName", out _));
                Assert.False(status.TryGetProperty("podIP", out _));
                var condition = Assert.Single(status.GetProperty("conditions").EnumerateArray());
                Assert.Equal("PodScheduled", condition.GetProperty("type").GetString());
                Assert.Equal("False", condition.GetProperty("status").GetString());
                Assert.Equal("Unschedulable", condition.GetProperty("reason").GetString());
                continue;
            }

            Assert.Equal("Running", phase);
            var node = nodes[spec.GetProperty("nodeName").GetString()!];
            var nodeIp = node.GetProperty("status").GetProperty("addresses")[0].GetProperty("address").GetString();
            Assert.Equal(nodeIp, status.GetProperty("hostIP").GetString());
            Assert.Equal(nodeIp, status.GetProperty("hostIPs")[0].GetProperty("ip").GetString());
            var podIp = IPAddress.Parse(status.GetProperty("podIP").GetString()!);
            Assert.True(IPNetwork.Parse(node.GetProperty("spec").GetProperty("podCIDR").GetString()!).Contains(podIp), $"{podIp} outside the node's podCIDR");
            Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"],
                status.GetProperty("conditions").EnumerateArray().Select(c => c.GetProperty("type").GetString()));
        }

        Assert.InRange(pending, 50, 150);
    }

    [Fact]
    public async Task SeedAsync_NoNodes_LeavesEveryPodPending()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 0, Pods: 30, ConfigMaps: 0) { Namespaces = 2 });

        Assert.Empty(store.Keys("/registry/minions/"));
        Assert.All(store.Objects("/registry/pods/"), pod =>
        {
            Assert.Equal("Pending", pod.RootElement.GetProperty("status").GetProperty("phase").GetString());
            Assert.False(pod.RootElement.GetProperty("spec").TryGetProperty("nodeName", out _));
        });
    }

    [Fact]
    public async Task SeedAsync_SameSeedAndClock_WritesIdenticalBytes()
    {
        var options = new SeedOptions(Nodes: 7, Pods: 300, ConfigMaps: 30) { Namespaces = 3, Seed = 42 };
        var (first, firstResult) = await SeedAsync(options);
        var (second, secondResult) = await SeedAsync(options);
        var (otherSeed, _) = await SeedAsync(options with { Seed = 43 });

        Assert.Equal(firstResult, secondResult);
        Assert.Equal(first.Values.Keys.Order(), second.Values.Keys.Order());
        Assert.All(first.Values, pair => Assert.Equal(pair.Value, second.Values[pair.Key]));
        Assert.Equal(
            first.Calls.Select(c => c.Select(i => i.Key)).SelectMany(k => k),
            second.Calls.Select(c => c.Select(i => i.Key)).SelectMany(k => k));

        var differentUids = first.Values.Keys.Intersect(otherSeed.Values.Keys).Count(key =>
            Uid(first.Values[key]) != Uid(otherSeed.Values[key]));
        Assert.True(differentUids > 0);
        Assert.NotEqual(first.Keys("/registry/pods/"), otherSeed.Keys("/registry/pods/"));
    }

    [Fact]
    public async Task SeedAsync_Uids_AreDistinctVersionFourUuids()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 10, Pods: 500, ConfigMaps: 50) { Namespaces = 5 });

        var uids = store.Values.Values.Select(Uid).ToList();
        Assert.Equal(uids.Count, uids.Distinct().Count());
        Assert.All(uids, uid => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", uid));
    }

    [Fact]
    public async Task SeedAsync_Timestamps_AreSecondPrecisionUtcNotAfterTheClock()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 3, Pods: 400, ConfigMaps: 10) { Namespaces = 2 });

        var truncatedNow = new DateTimeOffset(2026, 11, 22, 7, 50, 1, TimeSpan.Zero);
        var checkedTimes = 0;
        foreach (var value in store.Values.Values)
        {
            using var document = JsonDocument.Parse(value);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", document.RootElement.GetProperty("metadata").GetProperty("creationTimestamp").GetString());
            foreach (var (name, text) in Strings(document.RootElement))
            {
                if (name.EndsWith("Time", StringComparison.Ordinal) || name.EndsWith("Timestamp", StringComparison.Ordinal) || name.EndsWith("At", StringComparison.Ordinal))
                {
                    var time = DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    Assert.InRange(time, truncatedNow.AddDays(-60), truncatedNow);
                    checkedTimes++;
                }
            }
        }

        Assert.True(checkedTimes > 400 * 5, $"only {checkedTimes} timestamps");
    }

    [Fact]
    public async Task SeedAsync_BatchSize_LimitsEveryCall()
    {
        var (store, result) = await SeedAsync(new SeedOptions(Nodes: 3, Pods: 50, ConfigMaps: 5) { Namespaces = 2, BatchSize = 7 });

        var objects = 6 + 3 + 50 + 5;
        Assert.Equal(objects, store.Calls.Sum(c => c.Count));
        Assert.All(store.Calls, call => Assert.InRange(call.Count, 1, 7));
        Assert.Equal((objects + 6) / 7, store.Calls.Count);
        Assert.Equal(store.Calls.Count, result.Batches);
        Assert.Equal(store.Calls.Count, result.Revision);
    }

    [Fact]
    public async Task SeedAsync_MaxBatchBytes_LimitsEveryCall()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 3, Pods: 60, ConfigMaps: 5) { Namespaces = 2, MaxBatchBytes = 10_000 });

        Assert.Equal(6 + 3 + 60 + 5, store.Calls.Sum(c => c.Count));
        Assert.All(store.Calls, call => Assert.InRange(call.Sum(i => i.Value.Length), 1, 10_000));
        Assert.Contains(store.Calls, call => call.Count > 1);
    }

    [Fact]
    public async Task SeedAsync_Namespaces_ExistForEveryNamespacedObject()
    {
        var (store, result) = await SeedAsync(new SeedOptions(Nodes: 2, Pods: 25, ConfigMaps: 25) { Namespaces = 6 });

        var namespaces = store.Objects("/registry/namespaces/")
            .Select(n => n.RootElement.GetProperty("metadata").GetProperty("name").GetString()).ToHashSet();
        Assert.Equal(10, namespaces.Count);
        Assert.Equal(10, result.Namespaces);
        Assert.Superset(new HashSet<string?> { "default", "kube-system", "kube-public", "kube-node-lease" }, namespaces);
        foreach (var document in store.Objects("/registry/pods/").Concat(store.Objects("/registry/configmaps/")))
        {
            Assert.Contains(document.RootElement.GetProperty("metadata").GetProperty("namespace").GetString(), namespaces);
        }

        using var seeded = JsonDocument.Parse(store.Values["/registry/namespaces/ns-1"]);
        var labels = seeded.RootElement.GetProperty("metadata").GetProperty("labels");
        Assert.Equal("ns-1", labels.GetProperty("kubernetes.io/metadata.name").GetString());
        Assert.True(labels.TryGetProperty("team", out _));
    }

    [Fact]
    public async Task SeedAsync_ExistingBuiltInNamespace_IsNotOverwritten()
    {
        var store = new RecordingStore();
        var existing = """{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"default"}}"""u8.ToArray();
        await store.CreateManyAsync([new("/registry/namespaces/default", existing)], CancellationToken.None);
        store.Calls.Clear();

        var (_, result) = await SeedAsync(new SeedOptions(Nodes: 1, Pods: 1, ConfigMaps: 1) { Namespaces = 1 }, store);

        Assert.Same(existing, store.Values["/registry/namespaces/default"]);
        Assert.DoesNotContain(store.Calls.SelectMany(c => c), item => item.Key == "/registry/namespaces/default");
        Assert.Equal(4, result.Namespaces);
        Assert.Contains("/registry/namespaces/kube-system", store.Values.Keys);
    }

    [Fact]
    public async Task SeedAsync_SeededTwice_OverwritesItsObjectsWithTheSameContent()
    {
        var store = new RecordingStore();
        var options = new SeedOptions(Nodes: 2, Pods: 10, ConfigMaps: 2) { Namespaces = 2 };
        var (_, first) = await SeedAsync(options, store);
        var snapshot = new Dictionary<string, byte[]>(store.Values);

        var (_, second) = await SeedAsync(options, store);

        Assert.Equal(first.Objects - 4, second.Objects); // the built-in namespaces exist now
        Assert.True(second.Revision > first.Revision);
        Assert.Equal(snapshot.Keys.Order(), store.Values.Keys.Order());
        Assert.All(snapshot, pair => Assert.Equal(pair.Value, store.Values[pair.Key]));
    }

    [Fact]
    public async Task SeedAsync_ConfigMaps_AreTheOnesThePodsMount()
    {
        var (store, _) = await SeedAsync(new SeedOptions(Nodes: 3, Pods: 60, ConfigMaps: 40) { Namespaces = 2 });

        var mounted = store.Objects("/registry/pods/").SelectMany(p => p.RootElement.GetProperty("spec").GetProperty("volumes").EnumerateArray()
            .Where(v => v.TryGetProperty("configMap", out _))
            .Select(v => $"/registry/configmaps/{p.RootElement.GetProperty("metadata").GetProperty("namespace").GetString()}/{v.GetProperty("configMap").GetProperty("name").GetString()}"))
            .ToHashSet();
        Assert.NotEmpty(mounted);
        Assert.Subset(store.Keys("/registry/configmaps/").ToHashSet(), mounted);
        Assert.All(store.Objects("/registry/configmaps/"), cm => Assert.True(Names(cm.RootElement.GetProperty("data")).Count >= 3));
    }

    [Fact]
    public async Task SeedAsync_CancelledToken_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ClusterSeeder.SeedAsync(
            new RecordingStore(), Catalog, new SeedOptions(1, 10, 1), new FakeClock(Now), cancellation.Token));
    }

    [Theory]
    [InlineData(-1, 0, 0, 1, 1, "Nodes")]
    [InlineData(0, -1, 0, 1, 1, "Pods")]
    [InlineData(0, 0, -1, 1, 1, "ConfigMaps")]
    [InlineData(0, 0, 0, 0, 1, "Namespaces")]
    [InlineData(0, 0, 0, 1, 0, "BatchSize")]
    public async Task SeedAsync_OptionOutOfRange_ThrowsNamingIt(int nodes, int pods, int configMaps, int namespaces, int batchSize, string name)
    {
        var options = new SeedOptions(nodes, pods, configMaps) { Namespaces = namespaces, BatchSize = batchSize };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ClusterSeeder.SeedAsync(
            new RecordingStore(), Catalog, options, new FakeClock(Now), CancellationToken.None));
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void From_Configuration_CopiesEveryValue()
    {
        var configuration = new SeedingOptions { Nodes = 3, Pods = 4, ConfigMaps = 5, Namespaces = 6, Seed = 7 };

        var options = SeedOptions.From(configuration);

        Assert.Equal(new SeedOptions(3, 4, 5) { Namespaces = 6, Seed = 7 }, options);
        Assert.True(configuration.Enabled);
        Assert.False(new SeedingOptions().Enabled);
    }

    private static async Task<(RecordingStore Store, SeedResult Result)> SeedAsync(SeedOptions options, RecordingStore? store = null)
    {
        store ??= new RecordingStore();
        var result = await ClusterSeeder.SeedAsync(store, Catalog, options, new FakeClock(Now), CancellationToken.None);
        return (store, result);
    }

    /// <summary>Every string member in the tree: (member name, value).</summary>
    private static IEnumerable<(string Name, string Value)> Strings(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            return element.EnumerateArray().SelectMany(Strings);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return element.EnumerateObject().SelectMany(p => p.Value.ValueKind == JsonValueKind.String
            ? [(p.Name, p.Value.GetString()!)]
            : Strings(p.Value));
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static string Uid(byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        return document.RootElement.GetProperty("metadata").GetProperty("uid").GetString()!;
    }

    /// <summary>Asserts the element's member names appear in <paramref name="canonical"/>, in its order.</summary>
    private static void AssertOrder(string[] canonical, JsonElement element)
    {
        var last = -1;
        foreach (var name in Names(element))
        {
            var position = Array.IndexOf(canonical, name);
            Assert.True(position >= 0, $"unexpected member {name}");
            Assert.True(position > last, $"member {name} out of order in [{string.Join(",", Names(element))}]");
            last = position;
        }
    }

    private static void AssertNoServerOnlyMetadata(JsonElement root)
    {
        var metadata = root.GetProperty("metadata");
        Assert.False(metadata.TryGetProperty("resourceVersion", out _));
        Assert.False(metadata.TryGetProperty("managedFields", out _));
    }

    private static void AssertSorted(List<string> names) => Assert.Equal(names.Order(StringComparer.Ordinal), names);

    /// <summary>A store that keeps the latest value per key and records every CreateManyAsync call (one revision per call, like an etcd transaction).</summary>
    private sealed class RecordingStore : IRevisionedStore
    {
        public Dictionary<string, byte[]> Values { get; } = new(StringComparer.Ordinal);

        public List<List<KeyValuePair<string, byte[]>>> Calls { get; } = [];

        public long Revision { get; private set; }

        public List<string> Keys(string prefix) => [.. Values.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

        public IEnumerable<JsonDocument> Objects(string prefix) => Keys(prefix).Select(k => JsonDocument.Parse(Values[k]));

        public ValueTask<long> CreateManyAsync(IReadOnlyList<KeyValuePair<string, byte[]>> items, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Calls.Add([.. items]);
            Revision++;
            foreach (var (key, value) in items)
            {
                Values[key] = value;
            }

            return ValueTask.FromResult(Revision);
        }

        public ValueTask<StoreRange> RangeAsync(StoreRangeRequest request, CancellationToken cancellationToken)
        {
            Assert.True(request.SingleKey);
            IReadOnlyList<StoreKeyValue> items = Values.TryGetValue(request.Prefix, out var value)
                ? [new StoreKeyValue(request.Prefix, value, 1, 1)]
                : [];
            return ValueTask.FromResult(new StoreRange(items, Revision, false, items.Count));
        }

        public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Revision);

        public ValueTask<long> GetCompactedRevisionAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<StoreWriteResult> CreateAsync(string key, byte[] value, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<StoreWriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask<StoreWriteResult> DeleteAsync(string key, long? expectedModRevision, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask CompactAsync(long revision, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
