using System.Text;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Patching;
using static ApiCache.Tests.DevServer.Patching.PatchTestResources;

namespace ApiCache.Tests.DevServer.Patching;

/// <summary>JSON Patch: RFC 6902 Appendix A, the apiserver library's behaviour, and the apiserver's answers.</summary>
public sealed class JsonPatchTests
{
    private const string GenericInvalidBody =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the server rejected our request due to an error in our request\",\"reason\":\"Invalid\",\"details\":{},\"code\":422}\n";

    [Theory]
    [InlineData("A.1 add object member", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", "{\"foo\":\"bar\",\"baz\":\"qux\"}")]
    [InlineData("A.2 add array element", "{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}")]
    [InlineData("A.3 remove object member", "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}")]
    [InlineData("A.4 remove array element", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}")]
    [InlineData("A.5 replace value", "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]", "{\"baz\":\"boo\",\"foo\":\"bar\"}")]
    [InlineData("A.6 move value", "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}", "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]", "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}")]
    [InlineData("A.7 move array element", "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}", "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]", "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}")]
    [InlineData("A.8 test success", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}")]
    [InlineData("A.10 add nested member object", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]", "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}")]
    [InlineData("A.11 ignore unrecognized elements", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]", "{\"foo\":\"bar\",\"baz\":\"qux\"}")]
    [InlineData("A.14 ~ escape ordering", "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]", "{\"/\":9,\"~1\":10}")]
    [InlineData("A.16 add array value", "{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]", "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}")]
    public void Apply_Rfc6902AppendixA_Succeeds(string example, string document, string patch, string expected)
    {
        var result = Patch(PatchType.Json, Pods, document, patch);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(result)), $"{example}: got {result}");
    }

    [Theory]
    [InlineData("A.9 test error", "{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", "testing value /baz failed: test failed")]
    [InlineData("A.12 add to nonexistent target", "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", "add operation does not apply: doc is missing path: \"/baz/bat\": missing value")]
    [InlineData("A.15 comparing strings and numbers", "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", "testing value /~01 failed: test failed")]
    public void Apply_Rfc6902AppendixAErrors_Generic422WithLibraryDetail(string example, string document, string patch, string detail)
    {
        var error = Fails(PatchType.Json, Pods, document, patch);

        Assert.Equal(GenericInvalidBody, StatusBody(error));
        Assert.True(detail == error.Detail, $"{example}: got {error.Detail}");
    }

    [Fact]
    public void Apply_DuplicateMemberInOperation_LastOneWinsLikeGo()
    {
        // RFC 6902 A.13 calls this document invalid; the apiserver's Go decoder keeps the last "op".
        var result = Patch(PatchType.Json, Pods, "{\"baz\":1,\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]");

        Assert.Equal("{\"foo\":\"bar\"}", result);
    }

    [Fact]
    public void Apply_EscapedAnnotationKey_AddsMemberWithSlash()
    {
        var result = Patch(PatchType.Json, Pods, "{\"metadata\":{\"annotations\":{}}}",
            "[{\"op\":\"add\",\"path\":\"/metadata/annotations/example.com~1owner\",\"value\":\"team~a\"}]");

        Assert.Equal("{\"metadata\":{\"annotations\":{\"example.com/owner\":\"team~a\"}}}", result);
    }

    [Fact]
    public void Apply_ReplaceMissingMember_AddsItLikeTheLibrary()
    {
        Assert.Equal("{\"a\":1,\"b\":2}", Patch(PatchType.Json, Pods, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]"));
    }

    [Fact]
    public void Apply_NegativeIndexes_CountFromTheEnd()
    {
        var result = Patch(PatchType.Json, Pods, "{\"a\":[1,2,3]}",
            "[{\"op\":\"remove\",\"path\":\"/a/-1\"},{\"op\":\"add\",\"path\":\"/a/-1\",\"value\":9},{\"op\":\"replace\",\"path\":\"/a/-3\",\"value\":0}]");

        Assert.Equal("{\"a\":[0,2,9]}", result);
    }

    [Fact]
    public void Apply_CopyAndMove_DoNotShareNodes()
    {
        var result = Patch(PatchType.Json, Pods, "{\"a\":{\"x\":[1]},\"b\":{}}",
            "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b/c\"},{\"op\":\"add\",\"path\":\"/b/c/x/-\",\"value\":2},{\"op\":\"move\",\"from\":\"/a/x\",\"path\":\"/y\"}]");

        Assert.Equal("{\"a\":{},\"b\":{\"c\":{\"x\":[1,2]}},\"y\":[1]}", result);
    }

    [Fact]
    public void Apply_TestNull_MatchesMissingAndNullMembersOnly()
    {
        Assert.Equal("{\"a\":null}", Patch(PatchType.Json, Pods, "{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null},{\"op\":\"test\",\"path\":\"/b\",\"value\":null}]"));
        Assert.Equal("testing value /a failed: test failed", Fails(PatchType.Json, Pods, "{\"a\":0}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]").Detail);
    }

    [Fact]
    public void Apply_TestNumbers_ComparesLiterals()
    {
        Assert.Equal("testing value /a failed: test failed", Fails(PatchType.Json, Pods, "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0}]").Detail);
        Assert.Equal("{\"a\":{\"b\":[1,\"x\"]}}", Patch(PatchType.Json, Pods, "{\"a\":{\"b\":[1,\"x\"]}}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"b\":[1,\"x\"]}}]"));
    }

    [Fact]
    public void Apply_TestResourceVersionPrecondition_FailsWhenChanged()
    {
        var error = Fails(PatchType.Json, Pods, "{\"metadata\":{\"resourceVersion\":\"12\"}}",
            "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"11\"},{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{}}]");

        Assert.Equal(422, error.Status.Code);
        Assert.Equal("testing value /metadata/resourceVersion failed: test failed", error.Detail);
    }

    [Theory]
    [InlineData("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value")]
    [InlineData("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]", "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced")]
    [InlineData("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/x\",\"value\":2}]", "error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/3\",\"value\":2}]", "error in add for path: '/a/3': Unable to access invalid index: 3: invalid index referenced")]
    [InlineData("{\"a\":[1]}", "[{\"op\":\"replace\",\"path\":\"/a/1\",\"value\":2}]", "replace operation does not apply: doc is missing key: /a/1: missing value")]
    [InlineData("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/b\",\"path\":\"/c\"}]", "error in move for path: 'b': Unable to remove nonexistent key: b: missing value")]
    [InlineData("{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/x/y\",\"path\":\"/c\"}]", "copy operation does not apply: doc is missing from path: /x/y: missing value")]
    [InlineData("{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a/b\",\"value\":1}]", "test operation does not apply: is missing path: /a/b: missing value")]
    [InlineData("{\"a\":1}", "[{\"op\":\"Add\",\"path\":\"/b\",\"value\":1}]", "Unexpected kind: Add")]
    [InlineData("{\"a\":1}", "[{\"path\":\"/b\"}]", "Unexpected kind: unknown")]
    [InlineData("{\"a\":1}", "[{\"op\":\"add\",\"value\":1}]", "add operation failed to decode path: missing value")]
    [InlineData("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":1}]", "add operation does not apply: doc is missing path: \"\": missing value")]
    public void Apply_FailingOperation_Generic422WithLibraryMessage(string document, string patch, string detail)
    {
        var error = Fails(PatchType.Json, Pods, document, patch);

        Assert.Equal(GenericInvalidBody, StatusBody(error));
        Assert.Equal(detail, error.Detail);
    }

    [Fact]
    public void Apply_FailureAfterEarlierOperations_LeavesOriginalUnchanged()
    {
        var original = Obj("{\"a\":1}");

        Assert.Throws<PatchException>(() => PatchApplier.Apply(PatchType.Json, Pods, original,
            "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]"u8));

        Assert.Equal("{\"a\":1}", original.ToJsonString());
    }

    [Fact]
    public void Apply_ReplaceRootWithObject_ReplacesDocument()
    {
        Assert.Equal("{\"x\":1}", Patch(PatchType.Json, Pods, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"x\":1}}]"));
    }

    [Fact]
    public void Apply_ReplaceRootWithArray_422NotAnObject()
    {
        var error = Fails(PatchType.Json, Pods, "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1,2]}]");

        Assert.Equal(422, error.Status.Code);
        Assert.Equal("Invalid", error.Status.Reason);
        Assert.StartsWith(" \"\" is invalid: patch: Invalid value: \"[1,2]\": couldn't get version/kind; json parse error: json: cannot unmarshal array", error.Status.Message, StringComparison.Ordinal);
        Assert.Equal("patch", Assert.Single(error.Status.Causes!).Field);
    }

    [Fact]
    public void Apply_NullPatch_LeavesDocumentUnchanged()
    {
        Assert.Equal("{\"a\":1}", Patch(PatchType.Json, Pods, "{\"a\":1}", "null"));
    }

    [Theory]
    [InlineData("[{\"op\":\"add\"", null, "error decoding patch: unexpected end of JSON input")]
    [InlineData("{\"op\":\"add\"}", null, "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp")]
    [InlineData("[1]", null, "error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp")]
    [InlineData("[{\"op\":1,\"path\":\"/a\"}]", null, "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string")]
    [InlineData("[{\"op\":\"add\",\"path\":[\"a\"]}]", "Strict", "error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string")]
    [InlineData("[{\"op\":\"add\"", "Ignore", "unexpected end of JSON input")]
    [InlineData("{\"op\":\"add\"}", "Ignore", "json: cannot unmarshal object into Go value of type jsonpatch.Patch")]
    [InlineData("[true]", "Ignore", "json: cannot unmarshal bool into Go value of type jsonpatch.Operation")]
    public void Apply_UndecodablePatch_400WithGoDecoderMessage(string patch, string? fieldValidation, string message)
    {
        var error = Fails(PatchType.Json, Pods, "{}", patch, fieldValidation);

        Assert.Equal(400, error.Status.Code);
        Assert.Equal("BadRequest", error.Status.Reason);
        Assert.Equal(message, error.Status.Message);
    }

    [Fact]
    public void Apply_PathNotStringWithFieldValidationIgnore_Generic422()
    {
        var error = Fails(PatchType.Json, Pods, "{}", "[{\"op\":\"replace\",\"path\":1,\"value\":1}]", fieldValidation: "Ignore");

        Assert.Equal(422, error.Status.Code);
        Assert.Equal("replace operation failed to decode path: json: cannot unmarshal number into Go value of type string", error.Detail);
    }

    [Fact]
    public void Apply_TooManyOperations_413()
    {
        var patch = new StringBuilder("[");
        for (var i = 0; i <= PatchApplier.MaxJsonPatchOperations; i++)
        {
            patch.Append(i == 0 ? "" : ",").Append("{\"op\":\"test\",\"path\":\"/a\",\"value\":1}");
        }

        var error = Fails(PatchType.Json, Pods, "{\"a\":1}", patch.Append(']').ToString());

        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001\",\"reason\":\"RequestEntityTooLarge\",\"code\":413}\n",
            StatusBody(error));
    }
}
