using System.Text;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Decoding;

/// <summary><see cref="ObjectDecoder"/> on hand-written objects: escapes, labels, field rendering, type meta and every error.</summary>
public sealed class ObjectDecoderTests
{
    private static readonly ObjectSchema PodSchema = ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]);

    [Fact]
    public void TryDecode_EscapedStrings_AreUnescapedAndTheBytesKept()
    {
        var json = Utf8("""{"metadata":{"name":"web\u002d1","namespace":"team\u002da","uid":"u\u0031","resourceVersion":"1\u0032","labels":{"app.kubernetes.io\/name":"a\u002fb","caf\u00e9":"caf\u00e9 \ud83d\ude00","raw":"日本","quote":"\"x\" \\ \u003c\u003e\u0026"}},"spec":{"nodeName":"node\u002d1"}}""");
        var pod = Decode(PodSchema, json);

        Assert.Equal(json, pod.Json);
        Assert.Equal(new ObjectKey("team-a", "web-1"), pod.Key);
        Assert.Equal("u1", pod.Uid);
        Assert.Equal(12, pod.ResourceVersion);
        Assert.Equal("node-1", pod.GetFieldValue("spec.nodeName"));
        Assert.Equal(
            [
                KeyValuePair.Create("app.kubernetes.io/name", "a/b"),
                KeyValuePair.Create("caf\u00e9", "caf\u00e9 \U0001F600"),
                KeyValuePair.Create("quote", "\"x\" \\ <>&"),
                KeyValuePair.Create("raw", "日本"),
            ],
            pod.Labels.ToArray());
    }

    [Fact]
    public void TryDecode_LongEscapedValues_AreUnescaped()
    {
        var value = new string('x', 700) + "/" + new string('y', 300);
        var json = Utf8(Fill("""{"metadata":{"name":"p","namespace":"@0","resourceVersion":"5","labels":{"k":"@1"}},"spec":{"nodeName":"@2"}}""", new string('n', 60), value.Replace("/", "\\u002f", StringComparison.Ordinal), value.Replace("/", "\\/", StringComparison.Ordinal)));
        var pod = Decode(PodSchema, json);
        Assert.True(pod.TryGetLabel("k", out var label));
        Assert.Equal(value, label);
        Assert.Equal(value, pod.GetFieldValue("spec.nodeName"));
        Assert.Equal(new string('n', 60), pod.Namespace);
    }

    [Fact]
    public void TryDecode_UnsortedAndRepeatedLabels_SortedByKeyLastValueWins()
    {
        var pod = Decode(ObjectSchema.Empty, Utf8("""{"metadata":{"name":"p","resourceVersion":"1","labels":{"tier":"a","app":"x","Zed":"z","app":"y","b":"1","a-b":"2"}}}"""), namespaced: false);
        Assert.Equal(
            [KeyValuePair.Create("Zed", "z"), KeyValuePair.Create("a-b", "2"), KeyValuePair.Create("app", "y"), KeyValuePair.Create("b", "1"), KeyValuePair.Create("tier", "a")],
            pod.Labels.ToArray());
        Assert.True(pod.TryGetLabel("app", out var app));
        Assert.Equal("y", app);
    }

    [Fact]
    public void TryDecode_ManyUnsortedLabels_AllSorted()
    {
        var keys = Enumerable.Range(0, 300).Select(static i => $"k{(i * 7919) % 300:D3}").ToArray();
        var labels = string.Join(",", keys.Select(static k => $"\"{k}\":\"v{k}\""));
        var pod = Decode(ObjectSchema.Empty, Utf8(Fill("""{"metadata":{"name":"p","resourceVersion":"1","labels":{@0}}}""", labels)), namespaced: false);
        Assert.Equal(keys.Order(StringComparer.Ordinal), pod.Labels.ToArray().Select(static l => l.Key));
        Assert.All(pod.Labels.ToArray(), static l => Assert.Equal("v" + l.Key, l.Value));
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"labels\":null")]
    [InlineData(",\"labels\":{}")]
    public void TryDecode_NoLabels_EmptyLabels(string labels)
    {
        var pod = Decode(ObjectSchema.Empty, Utf8(Fill("""{"metadata":{"name":"p","resourceVersion":"1"@0}}""", labels)), namespaced: false);
        Assert.True(pod.Labels.IsEmpty);
        Assert.False(pod.TryGetLabel("app", out _));
    }

    [Fact]
    public void TryDecode_NullLabelValue_IsEmpty()
    {
        var pod = Decode(ObjectSchema.Empty, Utf8("""{"metadata":{"name":"p","resourceVersion":"1","labels":{"a":null}}}"""), namespaced: false);
        Assert.Equal([KeyValuePair.Create("a", "")], pod.Labels.ToArray());
    }

    [Theory]
    [InlineData("\"text\"", "text")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("42", "42")]
    [InlineData("-1.50e+3", "-1.50e+3")]
    [InlineData("null", "")]
    [InlineData("{\"a\":1}", "")]
    [InlineData("[1,2]", "")]
    [InlineData("\"\"", "")]
    public void TryDecode_FieldValue_RenderedAsTheApiserverFieldSetDoes(string value, string expected)
    {
        var schema = new ObjectSchema(["spec.value", "spec.missing", "status.deep.er.value"], []);
        var widget = Decode(schema, Utf8(Fill("""{"apiVersion":"x/v1","kind":"W","metadata":{"name":"w","namespace":"n","resourceVersion":"3"},"spec":{"other":{"value":"no"},"value":@0},"status":{"deep":{"er":{"value":@1}}}}""", value, value)));
        Assert.Equal(expected, widget.GetFieldValue("spec.value"));
        Assert.Equal("", widget.GetFieldValue("spec.missing"));
        Assert.Equal(expected, widget.GetFieldValue("status.deep.er.value"));
        Assert.Equal("", widget.GetFieldValue("spec.unknown"));
    }

    [Fact]
    public void TryDecode_ParentOfAFieldIsNotAnObject_FieldIsEmpty()
    {
        var schema = new ObjectSchema(["spec.a.b", "spec.c"], []);
        var widget = Decode(schema, Utf8("""{"metadata":{"name":"w","namespace":"n","resourceVersion":"3"},"spec":{"a":["b"],"c":"x"}}"""));
        Assert.Equal("", widget.GetFieldValue("spec.a.b"));
        Assert.Equal("x", widget.GetFieldValue("spec.c"));
    }

    [Fact]
    public void TryDecode_FieldsUnderMetadata_AreExtracted()
    {
        var schema = new ObjectSchema(["metadata.generateName", "metadata.uid", "metadata.resourceVersion", "metadata.namespace"], []);
        var pod = Decode(schema, Utf8("""{"metadata":{"name":"p","generateName":"web-","namespace":"n","uid":"u-1","resourceVersion":"9"}}"""));
        Assert.Equal(["metadata.generateName", "metadata.uid", "metadata.resourceVersion"], schema.FieldPaths);
        Assert.Equal("web-", pod.GetFieldValue("metadata.generateName"));
        Assert.Equal("u-1", pod.GetFieldValue("metadata.uid"));
        Assert.Equal("9", pod.GetFieldValue("metadata.resourceVersion"));
        Assert.Equal("n", pod.GetFieldValue("metadata.namespace"));
    }

    [Theory]
    [InlineData("\"hostNetwork\":true,", "true")]
    [InlineData("\"hostNetwork\":false,", "false")]
    [InlineData("", "false")]
    public void TryDecode_PodHostNetwork_FalseWhenAbsent(string hostNetwork, string expected)
    {
        var pod = Decode(PodSchema, Utf8(Fill("""{"metadata":{"name":"p","namespace":"n","resourceVersion":"1"},"spec":{@0"nodeName":"node-1"}}""", hostNetwork)));
        Assert.Equal(expected, pod.GetFieldValue("spec.hostNetwork"));
        Assert.Equal("node-1", pod.GetFieldValue("spec.nodeName"));
    }

    [Theory]
    [InlineData("\"podIP\":\"10.0.0.1\",\"podIPs\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"fd00::1\"}]", "10.0.0.1")]
    [InlineData("\"podIPs\":[{\"ip\":\"10.0.0.2\"},{\"ip\":\"fd00::2\"}]", "10.0.0.2")]
    [InlineData("\"podIPs\":[{\"ip\":\"10.0.0.3\"}],\"podIP\":\"\"", "10.0.0.3")]
    [InlineData("\"podIP\":\"10.0.0.4\"", "10.0.0.4")]
    [InlineData("\"podIPs\":[{\"ip\":\"fd00::5\"}],\"podIP\":\"10.0.0.5\"", "10.0.0.5")]
    [InlineData("\"podIPs\":[]", "")]
    [InlineData("\"podIPs\":null", "")]
    [InlineData("\"podIPs\":[{}]", "")]
    [InlineData("", "")]
    public void TryDecode_PodIP_IsTheFirstPodIP(string status, string expected)
    {
        var pod = Decode(PodSchema, Utf8(Fill("""{"metadata":{"name":"p","namespace":"n","resourceVersion":"1"},"status":{"phase":"Running",@0@1"qosClass":"BestEffort"}}""", status, (status.Length > 0 ? "," : ""))));
        Assert.Equal(expected, pod.GetFieldValue("status.podIP"));
        Assert.Equal("", pod.GetFieldValue("status.podIPs"));
        Assert.Equal("Running", pod.GetFieldValue("status.phase"));
    }

    [Theory]
    [InlineData("\"serviceAccountName\":\"sa\",\"serviceAccount\":\"sa\"", "sa")]
    [InlineData("\"serviceAccount\":\"legacy\"", "legacy")]
    [InlineData("", "")]
    public void TryDecode_PodServiceAccountName_FallsBackToTheDeprecatedField(string spec, string expected)
    {
        var pod = Decode(PodSchema, Utf8(Fill("""{"metadata":{"name":"p","namespace":"n","resourceVersion":"1"},"spec":{@0}}""", spec)));
        Assert.Equal(expected, pod.GetFieldValue("spec.serviceAccountName"));
    }

    [Theory]
    [InlineData("\"status\":{\"succeeded\":3}", "3")]
    [InlineData("\"status\":{}", "0")]
    [InlineData("\"status\":{\"successful\":7}", "0")]
    public void TryDecode_JobSuccessful_ReadsStatusSucceeded(string status, string expected)
    {
        var job = Decode(ObjectSchema.ForBuiltIn("batch", "Job", []), Utf8(Fill("""{"metadata":{"name":"j","namespace":"n","resourceVersion":"1"},@0}""", status)));
        Assert.Equal(expected, job.GetFieldValue("status.successful"));
    }

    [Theory]
    [InlineData("\"source\":{\"component\":\"kubelet\"},\"reportingComponent\":\"other\"", "kubelet")]
    [InlineData("\"reportingComponent\":\"scheduler\",\"source\":{}", "scheduler")]
    [InlineData("\"source\":{\"component\":\"\"},\"reportingComponent\":\"\"", "")]
    public void TryDecode_EventSource_FallsBackToReportingComponent(string properties, string expected)
    {
        var schema = ObjectSchema.ForBuiltIn("", "Event", []);
        var @event = Decode(schema, Utf8(Fill("""{"metadata":{"name":"e","namespace":"n","resourceVersion":"1"},"involvedObject":{"kind":"Pod","name":"p"},@0,"type":"Normal"}""", properties)));
        Assert.Equal(expected, @event.GetFieldValue("source"));
        Assert.Equal("Pod", @event.GetFieldValue("involvedObject.kind"));
        Assert.Equal("Normal", @event.GetFieldValue("type"));
    }

    [Theory]
    [InlineData("{\"unschedulable\":true}", "true")]
    [InlineData("{}", "false")]
    public void TryDecode_NodeUnschedulable_FalseWhenAbsent(string spec, string expected)
    {
        var node = Decode(ObjectSchema.ForBuiltIn("", "Node", []), Utf8(Fill("""{"metadata":{"name":"node-1","resourceVersion":"1"},"spec":@0}""", spec)), namespaced: false);
        Assert.Equal(expected, node.GetFieldValue("spec.unschedulable"));
    }

    [Theory]
    [InlineData("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"},\"spec\":{}}", "{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"},\"spec\":{}}", true)]
    [InlineData("  {\"kind\":\"Pod\" , \"apiVersion\":\"v1\" ,\n\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}\n ", "{\n\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}", true)]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}", null, false)]
    [InlineData("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"},\"apiVersion\":\"v1\"}", null, false)]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"},\"kind\":\"Pod\",\"apiVersion\":\"v1\"}", null, false)]
    [InlineData("{\"kind\":null,\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}", null, false)]
    [InlineData("{\"kind\":\"Pod\",\"apiVersion\":1,\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}", null, false)]
    [InlineData("\t{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}\r\n", "{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}", false)]
    public void TryDecode_LeadingKindAndApiVersion_OnlyThatPairIsDropped(string input, string? stored, bool dropped)
    {
        var decoder = new ObjectDecoder(ObjectSchema.Empty, namespaced: false);
        var json = Utf8(input);
        Assert.True(decoder.TryDecode(json, out var decoded, out var hadTypeMeta, out var error), error);
        Assert.Equal(dropped, hadTypeMeta);
        Assert.Equal(dropped, ObjectDecoder.HasLeadingTypeMeta(json));
        Assert.Equal(stored ?? input, Encoding.UTF8.GetString(decoded.Json));
        Assert.Equal("p", decoded.Name);
    }

    [Fact]
    public void TryDecode_StoredJson_IsAFreshArrayOfExactSize()
    {
        var buffer = Utf8("""  {"metadata":{"name":"p","resourceVersion":"1"}}  """);
        var decoder = new ObjectDecoder(ObjectSchema.Empty, namespaced: false);
        Assert.True(decoder.TryDecode(buffer, out var decoded, out var error), error);
        Assert.Equal(buffer.Length - 4, decoded.Json.Length);
        buffer[3] = (byte)' ';
        Assert.Equal((byte)'"', decoded.Json[1]);
    }

    [Theory]
    [InlineData("", "the input is empty: expected a JSON object")]
    [InlineData(" \r\n\t", "the input is empty: expected a JSON object")]
    [InlineData("[]", "expected a JSON object, found an array")]
    [InlineData("\"pod\"", "expected a JSON object, found a string")]
    [InlineData("42", "expected a JSON object, found a number")]
    [InlineData("null", "expected a JSON object, found null")]
    [InlineData("{", "not valid JSON")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"1\"}", "not valid JSON")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"1\"}} x", "not valid JSON")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"1\"}}{}", "not valid JSON")]
    [InlineData("{\"metadata\":{\"name\":'p'}}", "not valid JSON")]
    [InlineData("{}", "the object has no metadata")]
    [InlineData("{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}", "the object has no metadata")]
    [InlineData("{\"metadata\":[]}", "metadata is an array, not an object")]
    [InlineData("{\"metadata\":null}", "metadata is null, not an object")]
    [InlineData("{\"metadata\":{\"namespace\":\"n\",\"resourceVersion\":\"1\"}}", "the object has no metadata.name")]
    [InlineData("{\"metadata\":{\"name\":\"\",\"namespace\":\"n\",\"resourceVersion\":\"1\"}}", "the object has no metadata.name")]
    [InlineData("{\"metadata\":{\"name\":null,\"namespace\":\"n\",\"resourceVersion\":\"1\"}}", "the object has no metadata.name")]
    [InlineData("{\"metadata\":{\"name\":7,\"namespace\":\"n\",\"resourceVersion\":\"1\"}}", "metadata.name is a number, not a string")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":{},\"resourceVersion\":\"1\"}}", "metadata.namespace is an object, not a string")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"uid\":true,\"resourceVersion\":\"1\"}}", "metadata.uid is a boolean, not a string")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\"}}", "object n/p has no metadata.resourceVersion")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":null}}", "object n/p has no metadata.resourceVersion")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"abc\"}}", "metadata.resourceVersion \"abc\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"\"}}", "metadata.resourceVersion \"\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"-1\"}}", "metadata.resourceVersion \"-1\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"+1\"}}", "metadata.resourceVersion \"+1\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\" 1\"}}", "metadata.resourceVersion \" 1\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"1.5\"}}", "metadata.resourceVersion \"1.5\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"99999999999999999999\"}}", "metadata.resourceVersion \"99999999999999999999\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"\\u0061\"}}", "metadata.resourceVersion \"a\" is not a decimal integer")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":5}}", "metadata.resourceVersion is a number, not a string")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"resourceVersion\":\"1\"}}", "object p has no metadata.namespace, but the resource is namespaced")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"\",\"resourceVersion\":\"1\"}}", "object p has no metadata.namespace, but the resource is namespaced")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"1\",\"labels\":[]}}", "metadata.labels is an array, not an object")]
    [InlineData("{\"metadata\":{\"name\":\"p\",\"namespace\":\"n\",\"resourceVersion\":\"1\",\"labels\":{\"a\":1}}}", "metadata.labels[\"a\"] is a number, not a string")]
    public void TryDecode_NamespacedResource_RejectsWithAMessage(string input, string message)
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        Assert.False(decoder.TryDecode(Utf8(input), out var decoded, out var error));
        Assert.Null(decoded);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_ClusterScopedResourceWithANamespace_Rejects()
    {
        var decoder = new ObjectDecoder(ObjectSchema.ForBuiltIn("", "Node", []), namespaced: false);
        Assert.False(decoder.TryDecode(Utf8("""{"metadata":{"name":"node-1","namespace":"team-a","resourceVersion":"1"}}"""), out _, out var error));
        Assert.Equal("object team-a/node-1 has metadata.namespace \"team-a\", but the resource is cluster-scoped", error);
        Assert.True(decoder.TryDecode(Utf8("""{"metadata":{"name":"node-1","namespace":"","resourceVersion":"1"}}"""), out var node, out error), error);
        Assert.Equal(new ObjectKey("", "node-1"), node.Key);
    }

    [Fact]
    public void TryDecode_InvalidUtf8InName_Rejects()
    {
        var json = Utf8("""{"metadata":{"name":"p?","namespace":"n","resourceVersion":"1"}}""");
        json[Array.IndexOf(json, (byte)'?')] = 0xFF;
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        Assert.False(decoder.TryDecode(json, out _, out var error));
        Assert.Contains("not valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_DeeplyNestedObject_IsAccepted()
    {
        var depth = 200;
        var nested = string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        var pod = Decode(PodSchema, Utf8(Fill("""{"metadata":{"name":"p","namespace":"n","resourceVersion":"1"},"spec":{"x":@0,"nodeName":"node-9"}}""", nested)));
        Assert.Equal("node-9", pod.GetFieldValue("spec.nodeName"));
    }

    [Fact]
    public void TryDecode_DecodersSharingAnInterner_ShareStrings()
    {
        var interner = new StringInterner();
        var pods = new ObjectDecoder(PodSchema, namespaced: true, interner);
        var configMaps = new ObjectDecoder(ObjectSchema.ForBuiltIn("", "ConfigMap", []), namespaced: true, interner);
        var pod = Decode(pods, Utf8("""{"metadata":{"name":"p","namespace":"team-a","resourceVersion":"1","labels":{"app":"web"}}}"""));
        var configMap = Decode(configMaps, Utf8("""{"metadata":{"name":"c","namespace":"team-a","resourceVersion":"2","labels":{"app":"web"}}}"""));
        Assert.Same(interner, pods.Interner);
        Assert.Same(pod.Namespace, configMap.Namespace);
        Assert.Same(pod.Labels[0].Key, configMap.Labels[0].Key);
        Assert.Same(pod.Labels[0].Value, configMap.Labels[0].Value);
        Assert.NotSame(Decode(pods, Utf8("""{"metadata":{"name":"p","namespace":"team-a","resourceVersion":"1"}}""")).Name, pod.Name);
    }

    [Fact]
    public void TryDecode_WarmDecoder_AllocatesOnlyTheObjectItsArraysAndUniqueStrings()
    {
        var json = DecodingFixtures.ListItems("02-list-pods-all")[0];
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var pod = Decode(decoder, json);
        for (var i = 0; i < 5; i++)
        {
            pod = Decode(decoder, json);
        }

        // The least of a few runs: a pool trimmed by a GC in between would add one rented buffer.
        var allocated = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.True(decoder.TryDecode(json, out pod, out var error), error);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        static long Align(long size) => (size + 7) & ~7L;
        var expected = Align(24 + json.Length)              // the JSON copy
            + 24 + (16L * pod.Labels.Length)                  // labels array
            + 24 + (8L * PodSchema.FieldPaths.Count)          // fields array
            + 88                                              // the CachedObject
            + Align(22 + (2L * pod.Name.Length))              // name
            + Align(22 + (2L * pod.Uid.Length))               // uid
            + Align(22 + (2L * pod.GetFieldValue("status.podIP").Length)); // the pod IP: unique, so not interned
        Assert.Equal(expected, allocated);
        Assert.Equal(expected, pod.SizeInBytes);
    }

    private static CachedObject Decode(ObjectSchema schema, byte[] json, bool namespaced = true) =>
        Decode(new ObjectDecoder(schema, namespaced), json);

    private static CachedObject Decode(ObjectDecoder decoder, byte[] json)
    {
        Assert.True(decoder.TryDecode(json, out var decoded, out var error), error);
        return decoded;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The template with <c>@0</c>, <c>@1</c>, ... replaced by the values (JSON braces make interpolated raw strings hard to read).</summary>
    private static string Fill(string template, params string[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            template = template.Replace("@" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), values[i], StringComparison.Ordinal);
        }

        return template;
    }
}
