using System.Text;
using ApiCache.DevServer.Patching;
using ApiCache.Serving;
using ApiCache.Tests.Infrastructure;
using static ApiCache.Tests.DevServer.Patching.PatchTestResources;

namespace ApiCache.Tests.DevServer.Patching;

/// <summary>Content-Type classification and the apiserver's 415 for patch types it does not accept.</summary>
public sealed class PatchTypesTests
{
    [Theory]
    [InlineData("application/json-patch+json", "Json")]
    [InlineData("application/merge-patch+json", "Merge")]
    [InlineData("application/merge-patch+json; charset=utf-8", "Merge")]
    [InlineData("application/strategic-merge-patch+json", "StrategicMerge")]
    [InlineData("application/strategic-merge-patch+json;charset=UTF-8", "StrategicMerge")]
    public void FromContentType_PatchMediaTypes_Classified(string contentType, string expected)
    {
        Assert.Equal(Enum.Parse<PatchType>(expected), PatchTypes.FromContentType(contentType));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/apply-patch+yaml")]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("Application/Merge-Patch+json")]
    [InlineData("application/merge-patch+json ; charset=utf-8")]
    [InlineData(";application/merge-patch+json")]
    public void FromContentType_UnsupportedOrMalformed_Null(string? contentType)
    {
        Assert.Null(PatchTypes.FromContentType(contentType));
    }

    [Fact]
    public void FromContentType_StrategicMergeOfCustomResource_Null()
    {
        Assert.Null(PatchTypes.FromContentType(PatchTypes.StrategicMergePatchMediaType, Widgets));
        Assert.Equal(PatchType.Merge, PatchTypes.FromContentType(PatchTypes.MergePatchMediaType, Widgets));
        Assert.Equal(PatchType.StrategicMerge, PatchTypes.FromContentType(PatchTypes.StrategicMergePatchMediaType, Pods));
    }

    [Fact]
    public void UnsupportedMediaType_BuiltIn_HasRecordedStatusShapeAndApiserverList()
    {
        const string Accepted = "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml";
        var recorded = Encoding.UTF8.GetString(FixtureUpstream.FixtureBody("04-err-415-unsupported-media-type"))
            .Replace("application/json, application/yaml, application/vnd.kubernetes.protobuf", Accepted, StringComparison.Ordinal);

        var body = Encoding.UTF8.GetString(StatusWriter.ToBytes(PatchTypes.UnsupportedMediaType(Pods)));

        Assert.Contains(Accepted, recorded, StringComparison.Ordinal);
        Assert.Equal(recorded, body);
    }

    [Fact]
    public void UnsupportedMediaType_CustomResource_DoesNotListStrategicMerge()
    {
        var error = PatchTypes.UnsupportedMediaType(Widgets);

        Assert.Equal(415, error.Code);
        Assert.Equal("UnsupportedMediaType", error.Reason);
        Assert.Equal("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", error.Message);
    }

    [Fact]
    public void UnsupportedMediaType_WithoutApplyPatch_ListsOnlyImplementedTypes()
    {
        Assert.EndsWith("include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json",
            PatchTypes.UnsupportedMediaType(Pods, listApplyPatch: false).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MediaType_RoundTripsThroughFromContentType()
    {
        foreach (var type in Enum.GetValues<PatchType>())
        {
            Assert.Equal(type, PatchTypes.FromContentType(PatchTypes.MediaType(type)));
        }
    }
}
