using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>Per-kind field label conversion: which fields each kind supports and the apiserver's wording for the rest.</summary>
public sealed class FieldLabelConversionTests
{
    [Theory]
    [InlineData("", "Pod", "spec.foo=bar", "field label not supported: spec.foo")]
    [InlineData("", "Pod", "=x", "field label not supported: ")]
    [InlineData("", "Pod", "spec.nodeName =x", "field label not supported: spec.nodeName ")]
    [InlineData("", "Node", "metadata.namespace=x", "field label not supported: metadata.namespace")]
    [InlineData("", "Namespace", "metadata.namespace=x", "field label not supported: metadata.namespace")]
    [InlineData("", "Secret", "data=x", "field label not supported: data")]
    [InlineData("", "Service", "spec.ports=x", "field label not supported: spec.ports")]
    [InlineData("", "Event", "message=x", "field label not supported: message")]
    [InlineData("", "ReplicationController", "spec.replicas=1", "field label not supported: spec.replicas")]
    [InlineData("", "ConfigMap", "spec.nodeName=node-1", "\"spec.nodeName\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("", "ConfigMap", "a\"b=1", "\"a\\\"b\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("apps", "Deployment", "status.replicas=1", "\"status.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")]
    [InlineData("batch", "Job", "status.failed=1", "field label \"status.failed\" not supported for batchv1.Job")]
    [InlineData("", "Pod", "spec.zzz=1,spec.aaa=2", "field label not supported: spec.aaa")]
    public void Validate_UnsupportedField_GivesKindsMessage(string group, string kind, string text, string message)
    {
        Assert.Equal(message, FieldLabelConversion.ForBuiltIn(group, kind).Validate(FieldSelector.Parse(text)));
    }

    [Theory]
    [InlineData("", "Pod", "metadata.name=a,metadata.namespace=b,spec.nodeName=c,spec.restartPolicy=Always,spec.schedulerName=s,spec.serviceAccountName=sa,spec.hostNetwork=true,status.phase=Running,status.podIP=1.2.3.4,status.podIPs=1.2.3.4,status.nominatedNodeName=n")]
    [InlineData("", "Node", "metadata.name=n,spec.unschedulable=true")]
    [InlineData("", "Namespace", "metadata.name=n,status.phase=Active")]
    [InlineData("", "Secret", "metadata.name=n,metadata.namespace=ns,type=Opaque")]
    [InlineData("", "Service", "metadata.name=n,metadata.namespace=ns,spec.clusterIP=None,spec.type=ClusterIP")]
    [InlineData("", "Event", "involvedObject.kind=Pod,involvedObject.name=p,reason=Started,reportingComponent=kubelet,source=kubelet,type=Normal,metadata.name=e")]
    [InlineData("", "ConfigMap", "metadata.name=n,metadata.namespace=ns")]
    [InlineData("coordination.k8s.io", "Lease", "metadata.name=n,metadata.namespace=ns")]
    [InlineData("batch", "Job", "metadata.name=n,status.successful=1")]
    public void Validate_SupportedFields_Passes(string group, string kind, string text)
    {
        Assert.Null(FieldLabelConversion.ForBuiltIn(group, kind).Validate(FieldSelector.Parse(text)));
    }

    [Fact]
    public void TryConvert_PodSpecHost_BecomesSpecNodeName()
    {
        Assert.True(FieldLabelConversion.Pods.TryConvert(FieldSelector.Parse("spec.host=node-1,status.phase=Running"), out var converted, out _));

        Assert.Equal("spec.nodeName=node-1,status.phase=Running", converted.ToString());
        Assert.True(converted.TryGetExactMatch("spec.nodeName", out var node));
        Assert.Equal("node-1", node);
    }

    [Fact]
    public void TryConvert_NothingRenamed_ReturnsSameSelector()
    {
        var selector = FieldSelector.Parse("spec.nodeName=node-1");

        Assert.True(FieldLabelConversion.Pods.TryConvert(selector, out var converted, out _));
        Assert.Same(selector, converted);
    }

    [Theory]
    [InlineData(true, "metadata.namespace=team-a", null)]
    [InlineData(false, "metadata.namespace=team-a", "field label not supported: metadata.namespace")]
    [InlineData(true, "metadata.name=sprocket", null)]
    [InlineData(true, "spec.color=red", null)]
    [InlineData(true, "spec.size=3", "field label not supported: spec.size")]
    public void ForCustomResource_ScopeAndSelectableFields_DecideSupport(bool namespaced, string text, string? message)
    {
        var conversion = FieldLabelConversion.ForCustomResource(namespaced, ["spec.color"]);

        Assert.Equal(message, conversion.Validate(FieldSelector.Parse(text)));
    }

    [Fact]
    public void Validate_StaticWithFieldsAndStyle_UsesThem()
    {
        var selector = FieldSelector.Parse("spec.x=1");

        Assert.Null(FieldLabelConversion.Validate(selector, ["spec.x"], FieldSelectorErrorStyle.FieldLabelNotSupported));
        Assert.Equal("field label not supported: spec.x", FieldLabelConversion.Validate(selector, [], FieldSelectorErrorStyle.FieldLabelNotSupported));
        Assert.Equal(
            "\"spec.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
            FieldLabelConversion.Validate(selector, [], FieldSelectorErrorStyle.NotAKnownFieldSelector));
        Assert.Equal(
            "field label \"spec.x\" not supported for v1.Thing",
            FieldLabelConversion.Validate(selector, [], FieldSelectorErrorStyle.NotSupportedForKind, "v1.Thing"));
    }

    [Fact]
    public void Constructor_NotSupportedForKindWithoutKind_Throws()
    {
        Assert.Throws<ArgumentException>(() => new FieldLabelConversion([], FieldSelectorErrorStyle.NotSupportedForKind));
    }
}
