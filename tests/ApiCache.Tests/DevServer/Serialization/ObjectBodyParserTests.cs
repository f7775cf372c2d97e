using System.Text;
using ApiCache.DevServer.Serialization;
using ApiCache.Serving;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Serialization;

/// <summary>Create/update bodies that are not JSON objects get the apiserver's 400 (fixture 04-err-400-malformed-json).</summary>
public sealed class ObjectBodyParserTests
{
    [Fact]
    public void TryParse_TruncatedPodBody_MatchesRecordedApiserverBodyByteForByte()
    {
        var request = File.ReadAllBytes(Path.Combine(TestPaths.FixturesDirectory, "04-err-400-malformed-json.request.txt"));
        var body = request.AsSpan(request.AsSpan().IndexOf("\n\n"u8) + 2);

        Assert.False(ObjectBodyParser.TryParse(body, "Pod", out var value, out var error));

        Assert.Null(value);
        Assert.Equal(FixtureUpstream.FixtureBody("04-err-400-malformed-json"), StatusWriter.ToBytes(error));
    }

    [Fact]
    public void TryParse_ValidObject_ReturnsIt()
    {
        Assert.True(ObjectBodyParser.TryParse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"a\":\"b\"}}"u8, "ConfigMap", out var value, out var error));

        Assert.Null(error);
        Assert.Equal("b", (string?)value["data"]?["a"]);
    }

    [Fact]
    public void TryParse_DuplicateMember_LastValueWinsLikeGo()
    {
        Assert.True(ObjectBodyParser.TryParse("{\"data\":{\"a\":\"1\",\"a\":\"2\"}}"u8, "ConfigMap", out var value, out _));

        Assert.Equal("{\"data\":{\"a\":\"2\"}}", value.ToJsonString());
    }

    [Fact]
    public void TryParse_Null_DecodesToEmptyObject()
    {
        Assert.True(ObjectBodyParser.TryParse("null"u8, "Pod", out var value, out _));

        Assert.Empty(value);
    }

    [Fact]
    public void TryParse_Array_ReportsGoTypeErrorOfTheKindSniffer()
    {
        Assert.False(ObjectBodyParser.TryParse("[]"u8, "Pod", out _, out var error));

        Assert.Equal(400, error.Code);
        Assert.Equal("BadRequest", error.Reason);
        Assert.Equal(
            "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" } ([])",
            error.Message);
    }

    [Fact]
    public void TryParse_KindNotString_ReportsStructFieldError()
    {
        Assert.False(ObjectBodyParser.TryParse("{\"Kind\":5}"u8, "Pod", out _, out var error));

        Assert.Equal(
            "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .kind of type string ({\"Kind\":5})",
            error.Message);
    }

    [Fact]
    public void TryParse_EmptyBody_SummarizedAsEmpty()
    {
        Assert.False(ObjectBodyParser.TryParse([], "Pod", out _, out var error));

        Assert.Equal("the object provided is unrecognized (must be of type Pod): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)", error.Message);
    }

    [Fact]
    public void TryParse_NotJson_QuotesFirstThirtyBytes()
    {
        var body = Encoding.UTF8.GetBytes("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n");

        Assert.False(ObjectBodyParser.TryParse(body, "ConfigMap", out _, out var error));

        Assert.Equal(
            "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'a' looking for beginning of value (apiVersion: v1\nkind: ConfigMap ...)",
            error.Message);
    }

    [Fact]
    public void TryParse_Gzip_SummarizedAsGzip()
    {
        Assert.False(ObjectBodyParser.TryParse([0x1f, 0x8b, 0x08, 0x00], "Pod", out _, out var error));

        Assert.EndsWith("(<gzip>)", error.Message, StringComparison.Ordinal);
    }
}
