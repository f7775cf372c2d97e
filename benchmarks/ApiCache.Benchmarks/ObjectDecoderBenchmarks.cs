using System.Text.Json;
using ApiCache.Storage;
using BenchmarkDotNet.Attributes;

namespace ApiCache.Benchmarks;

/// <summary>
/// What the cache pays per object it receives: decoding one ~3 KiB pod (the recorded team-a/db-1
/// LIST item from <c>shared/fixtures/02-list-pods-all</c>) into a <see cref="CachedObject"/>, in
/// list-item form and in watch-event form (with the leading kind/apiVersion pair the decoder drops),
/// and restamping its resourceVersion for a synthetic DELETED event.
/// </summary>
[MemoryDiagnoser]
public class ObjectDecoderBenchmarks
{
    private byte[] _listItem = [];
    private byte[] _watchObject = [];
    private ObjectDecoder _decoder = null!;
    private CachedObject _decoded = null!;

    /// <summary>The pod as an item of the apiserver's PodList (3,315 bytes).</summary>
    private static ReadOnlySpan<byte> ListItemPod =>
        """{"metadata":{"name":"db-1","namespace":"team-a","uid":"c3614dd7-3f4e-4793-98ca-569688c7bed2","resourceVersion":"229","generation":1,"creationTimestamp":"2026-11-22T07:52:43Z","labels":{"app":"db","tier":"backend"},"annotations":{"example.com/owner":"team-a"},"managedFields":[{"manager":"kubectl-create","operation":"Update","apiVersion":"v1","time":"2026-11-22T07:52:43Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:example.com/owner":{}},"f:labels":{".":{},"f:app":{},"f:tier":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"postgres\"}":{".":{},"f:env":{".":{},"k:{\"name\":\"PGDATA\"}":{".":{},"f:name":{},"f:value":{}},"k:{\"name\":\"POSTGRES_DB\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":5432,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:name":{},"f:protocol":{}}},"f:resources":{".":{},"f:limits":{".":{},"f:cpu":{},"f:memory":{}},"f:requests":{".":{},"f:cpu":{},"f:memory":{}}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{},"f:volumeMounts":{".":{},"k:{\"mountPath\":\"/var/lib/postgresql/data\"}":{".":{},"f:mountPath":{},"f:name":{}},"k:{\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}":{".":{},"f:mountPath":{},"f:name":{},"f:readOnly":{}}}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:nodeName":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:serviceAccount":{},"f:serviceAccountName":{},"f:terminationGracePeriodSeconds":{},"f:volumes":{".":{},"k:{\"name\":\"data\"}":{".":{},"f:emptyDir":{},"f:name":{}},"k:{\"name\":\"kube-api-access-xcxxq\"}":{".":{},"f:name":{},"f:projected":{".":{},"f:defaultMode":{},"f:sources":{}}}}}}}]},"spec":{"volumes":[{"name":"data","emptyDir":{}},{"name":"kube-api-access-xcxxq","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"containers":[{"name":"postgres","image":"postgres:16.4","ports":[{"name":"pg","containerPort":5432,"protocol":"TCP"}],"env":[{"name":"POSTGRES_DB","value":"app"},{"name":"PGDATA","value":"/var/lib/postgresql/data/pgdata"}],"resources":{"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"250m","memory":"512Mi"}},"volumeMounts":[{"name":"data","mountPath":"/var/lib/postgresql/data"},{"name":"kube-api-access-xcxxq","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"node-3","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},"status":{"phase":"Pending","qosClass":"Burstable"}}"""u8;

    [GlobalSetup]
    public void Setup()
    {
        _listItem = ListItemPod.ToArray();
        _watchObject = [.. "{\"kind\":\"Pod\",\"apiVersion\":\"v1\","u8, .. _listItem.AsSpan(1)];
        _decoder = new ObjectDecoder(ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]), namespaced: true);

        // Namespace, label and field values are interned by the first decode, as in a running cache.
        _decoded = Decode(_listItem);
    }

    [Benchmark(Baseline = true)]
    public object DecodeListItem() => Decode(_listItem);

    [Benchmark]
    public object DecodeWatchEventObject() => Decode(_watchObject);

    /// <summary>The floor: reading every token of the same JSON with <see cref="Utf8JsonReader"/>, extracting nothing.</summary>
    [Benchmark]
    public int TokenizeOnly()
    {
        var reader = new Utf8JsonReader(_listItem);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark]
    public object WithResourceVersion() => ObjectDecoder.WithResourceVersion(_decoded, 123456);

    private CachedObject Decode(byte[] json) =>
        _decoder.TryDecode(json, out var cachedObject, out var error) ? cachedObject : throw new InvalidOperationException(error);
}
