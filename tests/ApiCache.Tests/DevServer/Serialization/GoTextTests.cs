using System.Text.Json.Nodes;
using ApiCache.DevServer.Serialization;

namespace ApiCache.Tests.DevServer.Serialization;

/// <summary>Values appear in messages the way Go's fmt, strconv and encoding/json write them.</summary>
public sealed class GoTextTests
{
    [Fact]
    public void FormatValue_NestedObject_PrintsLikeGoPercentV()
    {
        var value = JsonNode.Parse("{\"name\":\"x\",\"b\":[\"p\",\"q\"],\"a\":{},\"n\":null,\"t\":true,\"i\":80,\"f\":0.5}");

        Assert.Equal("map[a:map[] b:[p q] f:0.5 i:80 n:<nil> name:x t:true]", GoText.FormatValue(value));
    }

    [Theory]
    [InlineData("1000000.0", "1e+06")]
    [InlineData("123456.0", "123456")]
    [InlineData("0.000015", "1.5e-05")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("-2.5", "-2.5")]
    [InlineData("1e21", "1e+21")]
    [InlineData("12345678901234567890", "1.2345678901234567e+19")]
    public void FormatValue_Float_PrintsShortestGoForm(string literal, string expected)
    {
        Assert.Equal(expected, GoText.FormatValue(JsonNode.Parse(literal)));
    }

    [Fact]
    public void QuoteRunes_SpecialCharacters_EscapesLikeStrconvQuote()
    {
        Assert.Equal("\"a\\\"b\\\\c\\n\\x01\\u00a0é\"", GoText.QuoteRunes("a\"b\\c\n\u0001\u00a0é"));
    }

    [Fact]
    public void Marshal_HtmlCharacters_EscapedLikeEncodingJson()
    {
        var value = JsonNode.Parse("[{\"k\":\"<a&b>\"},1.50,null]");

        Assert.Equal("[{\"k\":\"\\u003ca\\u0026b\\u003e\"},1.50,null]", GoText.Marshal(value));
    }

    [Fact]
    public void UnmarshalTypeError_Array_NamesJsonAndGoTypes()
    {
        Assert.Equal("json: cannot unmarshal array into Go value of type map[string]interface {}",
            GoText.UnmarshalTypeError(new JsonArray(), "map[string]interface {}"));
        Assert.Equal("json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string",
            GoText.UnmarshalFieldTypeError(JsonValue.Create(1), "jsonPatchOp", "op", "string"));
    }
}
