using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Decoding;

/// <summary><see cref="ObjectDecoder.WithResourceVersion"/>: the byte splice behind synthetic DELETED events.</summary>
public sealed class ObjectDecoderResourceVersionTests
{
    private static readonly ObjectSchema PodSchema = ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]);

    [Theory]
    [InlineData(300L)]
    [InlineData(7L)]
    [InlineData(0L)]
    [InlineData(long.MaxValue)]
    public void WithResourceVersion_PodListItem_ReplacesOnlyTheValue(long resourceVersion)
    {
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        var item = DecodingFixtures.ListItems("02-list-pods-all")[4];
        Assert.True(decoder.TryDecode(item, out var pod, out var error), error);
        Assert.Equal(238, pod.ResourceVersion);

        var stamped = ObjectDecoder.WithResourceVersion(pod, resourceVersion);

        var expected = Encoding.UTF8.GetString(item).Replace("\"resourceVersion\":\"238\"", $"\"resourceVersion\":\"{resourceVersion}\"", StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(stamped.Json));
        Assert.Equal(resourceVersion, stamped.ResourceVersion);
        Assert.Equal(pod.Key, stamped.Key);
        Assert.Equal(pod.Uid, stamped.Uid);
        Assert.Same(pod.Schema, stamped.Schema);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(pod.Labels), ref MemoryMarshal.GetReference(stamped.Labels)));
        Assert.Same(pod.GetField(0), stamped.GetField(0));
        Assert.Equal(item, pod.Json);
        Assert.Equal(238, pod.ResourceVersion);
        static long Align(long size) => (size + 7) & ~7L;
        Assert.Equal(pod.SizeInBytes - Align(pod.Json.Length) + Align(stamped.Json.Length), stamped.SizeInBytes);

        Assert.True(decoder.TryDecode(stamped.Json, out var decoded, out error), error);
        Assert.Equal(stamped.Json, decoded.Json);
        Assert.Equal(resourceVersion, decoded.ResourceVersion);
        Assert.Equal(pod.Labels.ToArray(), decoded.Labels.ToArray());
        Assert.Equal(PodSchema.FieldPaths.Select(pod.GetFieldValue), PodSchema.FieldPaths.Select(decoded.GetFieldValue));
    }

    [Fact]
    public void WithResourceVersion_CustomResource_ReplacesTheValueInSortedMetadata()
    {
        var decoder = new ObjectDecoder(new ObjectSchema(["spec.color"], []), namespaced: true);
        var item = DecodingFixtures.ListItems("02-list-widgets-all")[0];
        Assert.True(decoder.TryDecode(item, out var widget, out var error), error);
        var before = $"\"resourceVersion\":\"{widget.ResourceVersion}\"";

        var stamped = ObjectDecoder.WithResourceVersion(widget, 123456);

        Assert.Equal(Encoding.UTF8.GetString(item).Replace(before, "\"resourceVersion\":\"123456\"", StringComparison.Ordinal), Encoding.UTF8.GetString(stamped.Json));
        Assert.True(decoder.TryDecode(stamped.Json, out var decoded, out error), error);
        Assert.Equal(123456, decoded.ResourceVersion);
        Assert.Equal(widget.GetFieldValue("spec.color"), decoded.GetFieldValue("spec.color"));
    }

    [Fact]
    public void WithResourceVersion_EscapedPropertyName_IsFound()
    {
        var cached = Cached("""{"metadata":{"name":"p","resource\u0056ersion":"5"},"spec":{"resourceVersion":"x"}}""");
        var stamped = ObjectDecoder.WithResourceVersion(cached, 6);
        Assert.Equal("""{"metadata":{"name":"p","resource\u0056ersion":"6"},"spec":{"resourceVersion":"x"}}""", Encoding.UTF8.GetString(stamped.Json));
    }

    [Theory]
    [InlineData("""{"metadata":{"name":"p","namespace":"n","uid":"u","creationTimestamp":null},"spec":{}}""", """{"metadata":{"name":"p","namespace":"n","uid":"u","resourceVersion":"42","creationTimestamp":null},"spec":{}}""")]
    [InlineData("""{"metadata":{"name":"p","namespace":"n","generation":1},"spec":{}}""", """{"metadata":{"name":"p","namespace":"n","resourceVersion":"42","generation":1},"spec":{}}""")]
    [InlineData("""{"metadata":{"name":"p","generateName":"p-","labels":{"a":"b"}}}""", """{"metadata":{"name":"p","resourceVersion":"42","generateName":"p-","labels":{"a":"b"}}}""")]
    [InlineData("""{"metadata":{"labels":{"a":"b"}}}""", """{"metadata":{"resourceVersion":"42","labels":{"a":"b"}}}""")]
    [InlineData("""{"metadata":{}}""", """{"metadata":{"resourceVersion":"42"}}""")]
    [InlineData("""{"kind":"Pod","metadata":{"uid":"u","name":"p"}}""", """{"kind":"Pod","metadata":{"uid":"u","resourceVersion":"42","name":"p"}}""")]
    [InlineData("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"creationTimestamp":"t","name":"w","namespace":"n","uid":"u"},"spec":{}}""", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"creationTimestamp":"t","name":"w","namespace":"n","resourceVersion":"42","uid":"u"},"spec":{}}""")]
    [InlineData("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"labels":{"z":"z"},"name":"w"}}""", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"labels":{"z":"z"},"name":"w","resourceVersion":"42"}}""")]
    [InlineData("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{}}""", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"resourceVersion":"42"}}""")]
    public void WithResourceVersion_NoResourceVersion_InsertsItWhereTheApiserverWritesIt(string json, string expected)
    {
        var stamped = ObjectDecoder.WithResourceVersion(Cached(json), 42);
        Assert.Equal(expected, Encoding.UTF8.GetString(stamped.Json));
        Assert.Equal(42, stamped.ResourceVersion);
    }

    [Fact]
    public void WithResourceVersion_InsertedResourceVersion_DecodesBack()
    {
        var stamped = ObjectDecoder.WithResourceVersion(Cached("""{"metadata":{"name":"p","namespace":"n","uid":"u"},"spec":{"nodeName":"node-1"}}"""), 77);
        var decoder = new ObjectDecoder(PodSchema, namespaced: true);
        Assert.True(decoder.TryDecode(stamped.Json, out var decoded, out var error), error);
        Assert.Equal(77, decoded.ResourceVersion);
        Assert.Equal("node-1", decoded.GetFieldValue("spec.nodeName"));
    }

    [Fact]
    public void WithResourceVersion_BadInput_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ObjectDecoder.WithResourceVersion(Cached("""{"metadata":{"name":"p"}}"""), -1));
        Assert.Throws<ArgumentException>(() => ObjectDecoder.WithResourceVersion(Cached("""{"spec":{}}"""), 1));
        Assert.Throws<ArgumentException>(() => ObjectDecoder.WithResourceVersion(Cached("""{"metadata":[]}"""), 1));
        Assert.Throws<ArgumentNullException>(() => ObjectDecoder.WithResourceVersion(null!, 1));
    }

    /// <summary>A cached object around arbitrary JSON (as other code may build one), bypassing the decoder's checks.</summary>
    private static CachedObject Cached(string json) =>
        new(Encoding.UTF8.GetBytes(json), new ObjectKey("n", "p"), "u", 1, [], [.. PodSchema.FieldPaths.Select(static _ => "")], PodSchema);
}
