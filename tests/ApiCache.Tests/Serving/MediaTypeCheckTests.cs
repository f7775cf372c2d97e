using ApiCache.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ApiCache.Tests.Serving;

/// <summary>
/// <see cref="MediaTypeCheck"/>: the cache answers plain JSON only when the client takes it and asks
/// for no other rendering; Tables, PartialObjectMetadata, YAML and protobuf-only requests are
/// forwarded (never answered in the wrong shape). Accept headers as real clients send them (fixtures,
/// kubectl traces).
/// </summary>
public sealed class MediaTypeCheckTests
{
    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json, */*")]
    [InlineData("*/*")]
    [InlineData("application/*")]
    [InlineData("Application/JSON")]
    [InlineData("application/vnd.kubernetes.protobuf,application/json")]
    [InlineData("application/vnd.kubernetes.protobuf, */*")]
    [InlineData("application/json;charset=utf-8")]
    [InlineData("application/yaml, application/json;q=0.5")]
    [InlineData(" , application/json")]
    public void CacheCanAnswer_ListAcceptingPlainJson_IsTrue(string accept)
    {
        Assert.True(MediaTypeCheck.CacheCanAnswer(Request(accept), watch: false));
    }

    [Theory]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io")]
    [InlineData("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json")]
    [InlineData("application/json; AS=Table; v=v1; g=meta.k8s.io")]
    [InlineData("application/vnd.kubernetes.protobuf")]
    [InlineData("application/yaml")]
    [InlineData("text/plain")]
    [InlineData("application/json;q=0")]
    [InlineData("application/json;stream=watch")]
    public void CacheCanAnswer_ListAskingForAnotherShape_IsFalse(string accept)
    {
        Assert.False(MediaTypeCheck.CacheCanAnswer(Request(accept), watch: false));
    }

    [Fact]
    public void CacheCanAnswer_NoAcceptHeader_IsTrue()
    {
        Assert.True(MediaTypeCheck.CacheCanAnswer(new DefaultHttpContext().Request, watch: false));
    }

    [Fact]
    public void CacheCanAnswer_EmptyAcceptHeader_IsTrue()
    {
        Assert.True(MediaTypeCheck.CacheCanAnswer(Request(""), watch: false));
    }

    [Fact]
    public void CacheCanAnswer_StreamWatchRangeOnAWatch_IsTrue()
    {
        Assert.True(MediaTypeCheck.CacheCanAnswer(Request("application/json;stream=watch"), watch: true));
    }

    [Fact]
    public void CacheCanAnswer_TableAskedInASecondAcceptHeader_IsFalse()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers.Accept = new StringValues(["application/json", "application/json;as=Table;v=v1;g=meta.k8s.io"]);

        Assert.False(MediaTypeCheck.CacheCanAnswer(request, watch: false));
    }

    [Fact]
    public void CacheCanAnswer_JsonInASecondAcceptHeader_IsTrue()
    {
        var request = new DefaultHttpContext().Request;
        request.Headers.Accept = new StringValues(["application/vnd.kubernetes.protobuf", "application/json"]);

        Assert.True(MediaTypeCheck.CacheCanAnswer(request, watch: false));
    }

    private static HttpRequest Request(string accept)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers.Accept = accept;
        return request;
    }
}
