using System.Text.Json.Nodes;
using ApiCache.Requests;

namespace ApiCache.Tests.DevServer.Differential;

/// <summary>
/// The comparison of the differential test is strict where it must be (key order, values, array
/// lengths) and normalises only what cannot match between two clusters; and the YAML reader keeps
/// the scalar types the apiserver means.
/// </summary>
public sealed class ApiserverJsonDiffTests
{
    [Fact]
    public void FirstDifference_ClusterSpecificValues_AreNormalised()
    {
        var expected = JsonNode.Parse("""{"kind":"PodList","metadata":{"resourceVersion":"249","continue":"CONTINUE1"},"items":[{"metadata":{"name":"a","uid":"u1","resourceVersion":"12","creationTimestamp":"2026-11-22T07:52:43Z","managedFields":[{"manager":"kubectl"}]}}]}"""
            .Replace("CONTINUE1", new ContinueToken(249, "/team-a/db-0\0").Encode(), StringComparison.Ordinal));
        var actual = JsonNode.Parse("""{"kind":"PodList","metadata":{"resourceVersion":"47","continue":"CONTINUE2"},"items":[{"metadata":{"name":"a","uid":"u2","resourceVersion":"31","creationTimestamp":"2026-11-23T10:00:00Z"}}]}"""
            .Replace("CONTINUE2", new ContinueToken(47, "team-a/db-0\0").Encode(), StringComparison.Ordinal));

        Assert.Null(ApiserverJsonDiff.FirstDifference(expected, actual));
    }

    [Fact]
    public void FirstDifference_ContinueTokensWithDifferentStart_Differ()
    {
        var expected = JsonNode.Parse($$$"""{"metadata":{"continue":"{{{new ContinueToken(249, "/team-a/db-0\0").Encode()}}}"}}""");
        var actual = JsonNode.Parse($$$"""{"metadata":{"continue":"{{{new ContinueToken(249, "/team-a/db-1\0").Encode()}}}"}}""");

        Assert.StartsWith("$.metadata.continue: values differ", ApiserverJsonDiff.FirstDifference(expected, actual), StringComparison.Ordinal);
    }

    [Fact]
    public void FirstDifference_KeyOrderDiffers_NamesThePathAndBothOrders()
    {
        var difference = ApiserverJsonDiff.FirstDifference(
            JsonNode.Parse("""{"spec":{"volumes":[{"projected":{"sources":[],"defaultMode":420}}]}}"""),
            JsonNode.Parse("""{"spec":{"volumes":[{"projected":{"defaultMode":420,"sources":[]}}]}}"""));

        Assert.Equal("$.spec.volumes[0].projected: keys in a different order\n  expected keys [sources, defaultMode]\n  actual keys   [defaultMode, sources]", difference);
    }

    [Fact]
    public void FirstDifference_MissingKeyValueOrElement_IsReported()
    {
        Assert.StartsWith("$.status: missing key(s) [qosClass]", ApiserverJsonDiff.FirstDifference(
            JsonNode.Parse("""{"status":{"phase":"Pending","qosClass":"Burstable"}}"""), JsonNode.Parse("""{"status":{"phase":"Pending"}}""")), StringComparison.Ordinal);
        Assert.Equal("$.code: values differ\n  expected 404\n  actual   \"404\"", ApiserverJsonDiff.FirstDifference(
            JsonNode.Parse("""{"code":404}"""), JsonNode.Parse("""{"code":"404"}""")));
        Assert.Equal("$.items: expected 2 elements but got 1\n  expected [team-a/a, team-a/b]\n  actual   [team-a/a]", ApiserverJsonDiff.FirstDifference(
            JsonNode.Parse("""{"items":[{"metadata":{"name":"a","namespace":"team-a"}},{"metadata":{"name":"b","namespace":"team-a"}}]}"""),
            JsonNode.Parse("""{"items":[{"metadata":{"name":"a","namespace":"team-a"}}]}""")));
    }

    [Fact]
    public void FirstDifference_TooLargeResourceVersionMessages_IgnoreOnlyTheCurrentRevision()
    {
        static JsonNode Status(string message) => new JsonObject { ["message"] = message, ["reason"] = "Timeout" };

        Assert.Null(ApiserverJsonDiff.FirstDifference(
            Status("Timeout: Too large resource version: 99999999, current: 256"), Status("Timeout: Too large resource version: 99999999, current: 31")));
        Assert.NotNull(ApiserverJsonDiff.FirstDifference(
            Status("Timeout: Too large resource version: 99999999, current: 256"), Status("Timeout: Too large resource version: 5, current: 31")));
    }

    [Fact]
    public void ParseDocuments_PlainAndQuotedScalars_KeepTheirYamlTypesAndKeyOrder()
    {
        var documents = YamlJson.ParseDocuments("""
            kind: ConfigMap
            metadata: {name: app-config, labels: {app: web}}
            data:
              FEATURE_X: "true"
              text: |
                a=1
            spec: {size: 3, ready: true, none: null, ratio: 1.5}
            ---
            kind: Second
            """);

        Assert.Equal(2, documents.Count);
        Assert.Equal(
            """{"kind":"ConfigMap","metadata":{"name":"app-config","labels":{"app":"web"}},"data":{"FEATURE_X":"true","text":"a=1\n"},"spec":{"size":3,"ready":true,"none":null,"ratio":1.5}}""",
            documents[0].ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}
