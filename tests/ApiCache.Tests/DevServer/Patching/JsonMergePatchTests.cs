using System.Text.Json.Nodes;
using ApiCache.DevServer.Patching;
using static ApiCache.Tests.DevServer.Patching.PatchTestResources;

namespace ApiCache.Tests.DevServer.Patching;

/// <summary>JSON Merge Patch: RFC 7386 Appendix A, the apiserver library's quirks, and the apiserver's errors.</summary>
public sealed class JsonMergePatchTests
{
    [Theory]
    [InlineData("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}")]
    [InlineData("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}")]
    [InlineData("{\"a\":\"b\"}", "{\"a\":null}", "{}")]
    [InlineData("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}")]
    [InlineData("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}")]
    [InlineData("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}")]
    [InlineData("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}")]
    [InlineData("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}")]
    [InlineData("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]")]
    [InlineData("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]")]
    [InlineData("{\"a\":\"foo\"}", "null", "null")]
    [InlineData("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"")]
    [InlineData("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}")]
    [InlineData("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}")]
    [InlineData("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}")]
    public void Apply_Rfc7386AppendixA_GivesTheRfcResult(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), $"got {result?.ToJsonString() ?? "null"}");
    }

    [Fact]
    public void Apply_NewArrayOfObjects_DropsNullMembersButKeepsNullElements()
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse("{}"), JsonNode.Parse("{\"a\":[{\"x\":1,\"y\":null},null]}"));

        Assert.Equal("{\"a\":[{\"x\":1},null]}", result!.ToJsonString());
    }

    [Fact]
    public void Apply_ArrayReplacingObject_KeptAsSent()
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse("{\"a\":{\"k\":1}}"), JsonNode.Parse("{\"a\":[{\"y\":null}]}"));

        Assert.Equal("{\"a\":[{\"y\":null}]}", result!.ToJsonString());
    }

    [Fact]
    public void Apply_DoesNotModifyThePatch()
    {
        var patch = JsonNode.Parse("{\"a\":{\"b\":null,\"c\":1}}");

        JsonMergePatch.Apply(JsonNode.Parse("{}"), patch);

        Assert.Equal("{\"a\":{\"b\":null,\"c\":1}}", patch!.ToJsonString());
    }

    [Fact]
    public void PatchApplier_LabelPatch_MergesLabelsKeepsOrderAndLeavesOriginalUntouched()
    {
        var original = Obj("{\"metadata\":{\"name\":\"web-1\",\"labels\":{\"app\":\"web\",\"tier\":\"frontend\"}},\"spec\":{\"containers\":[{\"name\":\"nginx\"}]}}");

        var result = PatchApplier.Apply(PatchType.Merge, Pods, original, "{\"metadata\":{\"labels\":{\"release\":\"canary\",\"tier\":null}}}"u8);

        Assert.Equal("{\"metadata\":{\"name\":\"web-1\",\"labels\":{\"app\":\"web\",\"release\":\"canary\"}},\"spec\":{\"containers\":[{\"name\":\"nginx\"}]}}", result.ToJsonString());
        Assert.Equal("frontend", (string?)original["metadata"]?["labels"]?["tier"]);
    }

    [Fact]
    public void PatchApplier_ContainersList_ReplacedWholesale()
    {
        var result = Patch(PatchType.Merge, Pods,
            "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\"}]}}",
            "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"y\"}]}}");

        Assert.Equal("{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"y\"}]}}", result);
    }

    [Fact]
    public void PatchApplier_MalformedPatch_400ErrorDecodingPatch()
    {
        var error = Fails(PatchType.Merge, Pods, "{}", "{\"metadata\":");

        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"error decoding patch: unexpected end of JSON input\",\"reason\":\"BadRequest\",\"code\":400}\n",
            StatusBody(error));
    }

    [Fact]
    public void PatchApplier_MalformedPatchWithFieldValidationIgnore_400InvalidJsonPatch()
    {
        var error = Fails(PatchType.Merge, Pods, "{}", "{x}", fieldValidation: "Ignore");

        Assert.Equal(400, error.Status.Code);
        Assert.Equal("Invalid JSON Patch", error.Status.Message);
    }

    [Fact]
    public void PatchApplier_NullPatch_400InvalidJsonPatch()
    {
        var error = Fails(PatchType.Merge, Pods, "{}", "null");

        Assert.Equal("BadRequest", error.Status.Reason);
        Assert.Equal("Invalid JSON Patch", error.Status.Message);
    }

    [Fact]
    public void PatchApplier_ArrayPatch_400CannotUnmarshalIntoMap()
    {
        var error = Fails(PatchType.Merge, Pods, "{}", "[1]");

        Assert.Equal("error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}", error.Status.Message);
    }

    [Fact]
    public void PatchApplier_ArrayPatchWithFieldValidationIgnore_422ResultIsNotAnObject()
    {
        var error = Fails(PatchType.Merge, Pods, "{}", "[1,{\"a\":null}]", fieldValidation: "Ignore");

        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\" \\\"\\\" is invalid: patch: Invalid value: \\\"[1,{}]\\\": couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \\\"json:\\\\\\\"apiVersion,omitempty\\\\\\\"\\\"; Kind string \\\"json:\\\\\\\"kind,omitempty\\\\\\\"\\\" }\",\"reason\":\"Invalid\",\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"[1,{}]\\\": couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \\\"json:\\\\\\\"apiVersion,omitempty\\\\\\\"\\\"; Kind string \\\"json:\\\\\\\"kind,omitempty\\\\\\\"\\\" }\",\"field\":\"patch\"}]},\"code\":422}\n",
            StatusBody(error));
    }
}
