using ApiCache.DevServer.Patching;
using static ApiCache.Tests.DevServer.Patching.PatchTestResources;

namespace ApiCache.Tests.DevServer.Patching;

/// <summary>Strategic merge patch: keyed list merging, directives, element order and errors as the apiserver has them.</summary>
public sealed class StrategicMergePatchTests
{
    private const string TwoContainers =
        "{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]},{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}";

    [Fact]
    public void Apply_ContainerByName_MergesThatContainerOnly()
    {
        var result = Patch(PatchType.StrategicMerge, Pods, TwoContainers, "{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"busybox:1.36\"}]}}");

        Assert.Equal(
            "{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]},{\"name\":\"sidecar\",\"image\":\"busybox:1.36\"}]}}",
            result);
    }

    [Fact]
    public void Apply_NewContainer_AddedFirstLikeTheApiserver()
    {
        var result = Patch(PatchType.StrategicMerge, Pods, TwoContainers, "{\"spec\":{\"containers\":[{\"name\":\"debug\",\"image\":\"alpine\"}]}}");

        Assert.Equal(
            "{\"spec\":{\"containers\":[{\"name\":\"debug\",\"image\":\"alpine\"},{\"name\":\"nginx\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]},{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}",
            result);
    }

    [Fact]
    public void Apply_EnvByName_MergesUpdatesAndAddsInPatchOrder()
    {
        var result = Patch(PatchType.StrategicMerge, Pods,
            "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}",
            "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"}]}]}}");

        Assert.Equal(
            "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"3\"},{\"name\":\"C\",\"value\":\"4\"}]}]}}",
            result);
    }

    [Fact]
    public void Apply_EnvDeleteDirectiveAndNullMember_RemoveEntryAndField()
    {
        var result = Patch(PatchType.StrategicMerge, Pods,
            "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"2\"}]}]}}",
            "{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"A\",\"$patch\":\"delete\"},{\"name\":\"B\",\"value\":null}]}]}}");

        Assert.Equal("{\"spec\":{\"containers\":[{\"name\":\"app\",\"env\":[{\"name\":\"B\"}]}]}}", result);
    }

    [Fact]
    public void Apply_PortsByContainerPort_MergeAndAdd()
    {
        var result = Patch(PatchType.StrategicMerge, Pods, TwoContainers,
            "{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"ports\":[{\"containerPort\":80,\"name\":\"http\"},{\"containerPort\":443}]}]}}");

        Assert.Equal(
            "{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\",\"name\":\"http\"},{\"containerPort\":443}]},{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}",
            result);
    }

    [Fact]
    public void Apply_ListReplaceDirective_ReplacesWholeList()
    {
        var result = Patch(PatchType.StrategicMerge, Pods, TwoContainers,
            "{\"spec\":{\"containers\":[{\"name\":\"only\",\"image\":\"i\"},{\"$patch\":\"replace\"}]}}");

        Assert.Equal("{\"spec\":{\"containers\":[{\"name\":\"only\",\"image\":\"i\"}]}}", result);
    }

    [Fact]
    public void Apply_SetElementOrder_OrdersListAndIsNotStored()
    {
        var result = Patch(PatchType.StrategicMerge, Pods,
            "{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}}",
            "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"},{\"name\":\"b\"}],\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}");

        Assert.Equal("{\"spec\":{\"containers\":[{\"name\":\"c\"},{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\"}]}}", result);
    }

    [Fact]
    public void Apply_KubectlApplyStylePatch_DirectivesRemovedFromStoredObject()
    {
        var result = Patch(PatchType.StrategicMerge, Pods,
            "{\"metadata\":{\"annotations\":{\"old\":\"1\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:1\",\"env\":[{\"name\":\"X\",\"value\":\"1\"}]}]}}",
            "{\"metadata\":{\"annotations\":{\"old\":null,\"new\":\"2\"}},\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"app\"}],\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"X\"},{\"name\":\"Y\"}],\"env\":[{\"name\":\"Y\",\"value\":\"2\"}],\"image\":\"a:2\",\"name\":\"app\"}]}}");

        Assert.Equal(
            "{\"metadata\":{\"annotations\":{\"new\":\"2\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"a:2\",\"env\":[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"2\"}]}]}}",
            result);
        Assert.DoesNotContain("$", result, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NewValues_DropNullsAndDirectiveKeys()
    {
        var result = Patch(PatchType.StrategicMerge, Pods, "{\"spec\":{}}",
            "{\"spec\":{\"securityContext\":{\"runAsUser\":1000,\"fsGroup\":null,\"$retainKeys\":[\"runAsUser\"]},\"volumes\":[{\"name\":\"v\",\"$setElementOrder/x\":[],\"emptyDir\":{}}]}}");

        Assert.Equal("{\"spec\":{\"securityContext\":{\"runAsUser\":1000},\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}]}}", result);
    }

    [Fact]
    public void Apply_MapReplaceAndDeleteDirectives_ReplaceOrEmptyTheMap()
    {
        var original = "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"annotations\":{\"x\":\"1\"}}}";

        Assert.Equal("{\"metadata\":{\"labels\":{\"c\":\"3\"},\"annotations\":{}}}",
            Patch(PatchType.StrategicMerge, Pods, original, "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"c\":\"3\"},\"annotations\":{\"$patch\":\"delete\"}}}"));
    }

    [Fact]
    public void Apply_RetainKeys_ClearsUnlistedFields()
    {
        var result = Patch(PatchType.StrategicMerge, Deployments,
            "{\"spec\":{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}}}}",
            "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}");

        Assert.Equal("{\"spec\":{\"strategy\":{\"type\":\"Recreate\"}}}", result);
    }

    [Fact]
    public void Apply_RetainKeysNotListingAPatchedField_400()
    {
        var error = Fails(PatchType.StrategicMerge, Deployments, "{\"spec\":{\"strategy\":{}}}",
            "{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}");

        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"invalid patch format of retainKeys\",\"reason\":\"BadRequest\",\"code\":400}\n",
            StatusBody(error));
    }

    [Fact]
    public void Apply_DeploymentTemplateContainers_MergeByName()
    {
        var result = Patch(PatchType.StrategicMerge, Deployments,
            "{\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"},{\"name\":\"log\",\"image\":\"log:1\"}]}}}}",
            "{\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"web:2\"}]}}}}");

        Assert.Equal(
            "{\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"web:2\"},{\"name\":\"log\",\"image\":\"log:1\"}]}}}}",
            result);
    }

    [Fact]
    public void Apply_ConditionsByType_ReplacesMatchingCondition()
    {
        var result = Patch(PatchType.StrategicMerge, Pods,
            "{\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"},{\"type\":\"PodScheduled\",\"status\":\"True\"}]}}",
            "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");

        Assert.Equal(
            "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"PodScheduled\",\"status\":\"True\"}]}}",
            result);
    }

    [Fact]
    public void Apply_OwnerReferencesByUid_AddsSecondOwner()
    {
        var result = Patch(PatchType.StrategicMerge, ConfigMaps,
            "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"u1\",\"name\":\"a\"}]}}",
            "{\"metadata\":{\"ownerReferences\":[{\"uid\":\"u1\",\"controller\":true},{\"uid\":\"u2\",\"name\":\"b\"}]}}");

        Assert.Equal("{\"metadata\":{\"ownerReferences\":[{\"uid\":\"u1\",\"name\":\"a\",\"controller\":true},{\"uid\":\"u2\",\"name\":\"b\"}]}}", result);
    }

    [Fact]
    public void Apply_Finalizers_MergeAsSetAndDeleteFromPrimitiveList()
    {
        Assert.Equal("{\"metadata\":{\"finalizers\":[\"c\",\"a\",\"b\"]}}",
            Patch(PatchType.StrategicMerge, ConfigMaps, "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}", "{\"metadata\":{\"finalizers\":[\"c\",\"a\"]}}"));
        Assert.Equal("{\"metadata\":{\"finalizers\":[\"a\",\"c\"]}}",
            Patch(PatchType.StrategicMerge, ConfigMaps, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}", "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b\"]}}"));
    }

    [Fact]
    public void Apply_ListWithoutStrategy_ReplacedWhole()
    {
        var result = Patch(PatchType.StrategicMerge, Pods,
            "{\"spec\":{\"tolerations\":[{\"key\":\"a\",\"operator\":\"Exists\"}]}}",
            "{\"spec\":{\"tolerations\":[{\"key\":\"b\",\"value\":null}]}}");

        Assert.Equal("{\"spec\":{\"tolerations\":[{\"key\":\"b\"}]}}", result);
    }

    [Fact]
    public void Apply_ConfigMapData_MergesLikeMergePatch()
    {
        Assert.Equal("{\"data\":{\"a\":\"1\",\"c\":\"3\"}}",
            Patch(PatchType.StrategicMerge, ConfigMaps, "{\"data\":{\"a\":\"1\",\"b\":\"2\"}}", "{\"data\":{\"b\":null,\"c\":\"3\"}}"));
    }

    [Fact]
    public void Apply_NullPatch_LeavesObjectUnchanged()
    {
        Assert.Equal(TwoContainers, Patch(PatchType.StrategicMerge, Pods, TwoContainers, "null"));
    }

    [Fact]
    public void Apply_ElementWithoutMergeKey_500WithGoFormattedMap()
    {
        var error = Fails(PatchType.StrategicMerge, Pods, TwoContainers, "{\"spec\":{\"containers\":[{\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]}]}}");

        Assert.Equal(500, error.Status.Code);
        Assert.Equal("map: map[image:nginx ports:[map[containerPort:80]]] does not contain declared merge key: name", error.Status.Message);
    }

    [Fact]
    public void Apply_UnknownPatchDirective_500()
    {
        var error = Fails(PatchType.StrategicMerge, Pods, "{\"metadata\":{\"labels\":{}}}", "{\"metadata\":{\"labels\":{\"$patch\":\"foo\",\"a\":\"b\"}}}");

        Assert.Equal(500, error.Status.Code);
        Assert.Equal("unknown patch type: foo in map: map[$patch:foo a:b]", error.Status.Message);
    }

    [Fact]
    public void Apply_ListOfLists_Generic422()
    {
        var error = Fails(PatchType.StrategicMerge, Nodes, "{\"spec\":{\"podCIDRs\":[]}}", "{\"spec\":{\"podCIDRs\":[[\"10.0.0.0/24\"]]}}");

        Assert.Equal(422, error.Status.Code);
        Assert.Equal(PatchErrors.GenericInvalidMessage, error.Status.Message);
        Assert.Equal("lists of lists are not supported", error.Detail);
    }

    [Fact]
    public void Apply_SetElementOrderNotMatchingPatchList_500()
    {
        var error = Fails(PatchType.StrategicMerge, Pods, "{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
            "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"}],\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}");

        Assert.Equal(500, error.Status.Code);
        Assert.Equal("the order in patch list:\n[map[image:x name:a]]\n doesn't match $setElementOrder list:\n[map[name:b]]", error.Status.Message);
    }

    [Theory]
    [InlineData("{\"spec\":{\"$setElementOrder\":[]}}", "invalid patch format of setElementOrder list")]
    [InlineData("{\"metadata\":{\"$deleteFromPrimitiveListfinalizers\":[\"a\"]}}", "invalid patch format of primitive list")]
    [InlineData("{\"spec\":{\"strategy\":{\"$retainKeys\":\"type\"}}}", "invalid patch format of retainKeys")]
    [InlineData("{x}", "invalid character 'x' looking for beginning of object key string")]
    [InlineData("[{}]", "json: cannot unmarshal array into Go value of type map[string]interface {}")]
    public void Apply_MalformedPatch_400WithApiserverMessage(string patch, string message)
    {
        var error = Fails(PatchType.StrategicMerge, Deployments, "{\"metadata\":{},\"spec\":{\"strategy\":{}}}", patch);

        Assert.Equal(400, error.Status.Code);
        Assert.Equal("BadRequest", error.Status.Reason);
        Assert.Equal(message, error.Status.Message);
    }

    [Fact]
    public void Apply_LeavesOriginalUntouched()
    {
        var original = Obj(TwoContainers);

        PatchApplier.Apply(PatchType.StrategicMerge, Pods, original, "{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"$patch\":\"delete\"}]}}"u8);

        Assert.Equal(TwoContainers, original.ToJsonString());
    }
}
