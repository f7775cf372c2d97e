using ApiCache.Selectors;
using ApiCache.Storage;

namespace ApiCache.Tests.Storage.Decoding;

/// <summary><see cref="ObjectSchema"/>: which fields are extracted, where they are read and what they are when absent.</summary>
public sealed class ObjectSchemaTests
{
    [Fact]
    public void Constructor_PlainPaths_ReadEachFieldAtItsOwnPath()
    {
        var schema = new ObjectSchema(["metadata.name", "spec.color", "spec.size", "metadata.namespace"], ["spec.size", "status.ready"]);
        Assert.Equal(["spec.color", "spec.size", "status.ready"], schema.FieldPaths);
        Assert.Equal([["spec", "color"], ["spec", "size"], ["status", "ready"]], schema.Segments);
        Assert.All(schema.FallbackSegments, Assert.Null);
        Assert.All(schema.AbsentValues, static v => Assert.Equal("", v));
        Assert.Equal(["spec.size", "status.ready"], schema.IndexedFields);
        Assert.Equal([1, 2], schema.IndexedPositions);
        Assert.Equal(2, schema.IndexOf("status.ready"));
        Assert.Equal(-1, schema.IndexOf("metadata.name"));
    }

    [Fact]
    public void ForBuiltIn_Pod_HasTheConversionsFieldsAndTheFieldSetRules()
    {
        var schema = ObjectSchema.ForBuiltIn("", "Pod", ["spec.nodeName"]);
        var expected = FieldLabelConversion.Pods.SupportedFields.Where(static f => !f.StartsWith("metadata.", StringComparison.Ordinal));
        Assert.Equal(expected.Order(StringComparer.Ordinal), schema.FieldPaths.Order(StringComparer.Ordinal));
        Assert.Equal(["spec.nodeName"], schema.IndexedFields);

        var hostNetwork = schema.IndexOf("spec.hostNetwork");
        Assert.Equal("false", schema.AbsentValues[hostNetwork]);
        var podIp = schema.IndexOf("status.podIP");
        Assert.Equal(["status", "podIP"], schema.Segments[podIp]);
        Assert.Equal(["status", "podIPs", ObjectSchema.FirstItem, "ip"], schema.FallbackSegments[podIp]!);
        Assert.Equal(["spec", "serviceAccount"], schema.FallbackSegments[schema.IndexOf("spec.serviceAccountName")]!);
        Assert.Equal("", schema.AbsentValues[schema.IndexOf("status.podIPs")]);
        Assert.Null(schema.FallbackSegments[schema.IndexOf("spec.nodeName")]);
    }

    [Theory]
    [InlineData("", "Node", "spec.unschedulable", "spec.unschedulable", "false")]
    [InlineData("", "ReplicationController", "status.replicas", "status.replicas", "0")]
    [InlineData("batch", "Job", "status.successful", "status.succeeded", "0")]
    [InlineData("", "Event", "source", "source.component", "")]
    [InlineData("", "Namespace", "status.phase", "status.phase", "")]
    [InlineData("", "Service", "spec.clusterIP", "spec.clusterIP", "")]
    public void ForBuiltIn_Kind_ReadsTheFieldWhereTheFieldSetTakesIt(string group, string kind, string field, string jsonPath, string absent)
    {
        var schema = ObjectSchema.ForBuiltIn(group, kind, []);
        var position = schema.IndexOf(field);
        Assert.True(position >= 0);
        Assert.Equal(jsonPath.Split('.'), schema.Segments[position]);
        Assert.Equal(absent, schema.AbsentValues[position]);
    }

    [Fact]
    public void ForBuiltIn_KindWithOnlyMetadataFields_ExtractsOnlyIndexedFields()
    {
        Assert.Empty(ObjectSchema.ForBuiltIn("", "ConfigMap", []).FieldPaths);
        var schema = ObjectSchema.ForBuiltIn("apps", "Deployment", ["spec.template.spec.nodeName"]);
        Assert.Equal(["spec.template.spec.nodeName"], schema.FieldPaths);
        Assert.Equal([0], schema.IndexedPositions);
    }
}
