using System.Text.Json.Nodes;
using ApiCache.DevServer.Storage;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.DevServer.Api;

/// <summary>
/// The dev API server's REST surface through real HTTP: every verb, selectors, pagination,
/// resourceVersion rules and the Status errors, compared with what kube-apiserver answers.
/// Runs once per store implementation (subclasses choose the store).
/// </summary>
public abstract class DevServerApiTests : DevServerTestBase
{
    private static long Rv(JsonNode obj) => long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Create_ConfigMap_SetsServerMetadataAndAnswers201()
    {
        var created = await Host.CreateConfigMapAsync("team-a", "app-config", labels: """{"app":"web"}""");

        Assert.Equal("ConfigMap", created["kind"]!.GetValue<string>());
        Assert.Equal("v1", created["apiVersion"]!.GetValue<string>());
        var metadata = created["metadata"]!.AsObject();
        Assert.Equal(["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "labels"], metadata.Select(p => p.Key));
        Assert.Equal("team-a", metadata["namespace"]!.GetValue<string>());
        Assert.True(Guid.TryParse(metadata["uid"]!.GetValue<string>(), out _));
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", metadata["creationTimestamp"]!.GetValue<string>());
        Assert.True(Rv(created) > 0);
    }

    [Fact]
    public async Task Create_Existing_Answers409AlreadyExistsLikeTheApiserver()
    {
        await Host.CreateConfigMapAsync("team-a", "dup");

        var (status, _, text) = await Host.PostAsync("/api/v1/namespaces/team-a/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"}}""");

        Assert.Equal(409, status);
        Assert.Equal("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"configmaps \\\"dup\\\" already exists\",\"reason\":\"AlreadyExists\",\"details\":{\"name\":\"dup\",\"kind\":\"configmaps\"},\"code\":409}\n", text);
    }

    [Fact]
    public async Task Create_GenerateName_AppendsFiveCharacters()
    {
        var created = await Host.CreateAsync("/api/v1/namespaces/team-a/configmaps", """{"metadata":{"generateName":"gen-"}}""");

        Assert.Matches("^gen-[a-z0-9]{5}$", created["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("gen-", created["metadata"]!["generateName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_NamespaceMismatch_Answers400WithTheApiserverMessage()
    {
        var (status, _, text) = await Host.PostAsync("/api/v1/namespaces/team-a/pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","namespace":"team-b"},"spec":{"containers":[{"name":"c","image":"i"}]}}""");

        Assert.Equal(400, status);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-400-namespace-mismatch"), text);
    }

    [Fact]
    public async Task Create_InvalidPod_Answers422LikeTheApiserver()
    {
        var (status, _, text) = await Host.PostAsync("/api/v1/namespaces/team-a/pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"Bad_Name"},"spec":{}}""");

        Assert.Equal(422, status);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-422-invalid-pod"), text);
    }

    [Fact]
    public async Task Create_InMissingNamespace_Answers404ForTheNamespace()
    {
        var (status, body, _) = await Host.PostAsync("/api/v1/namespaces/nowhere/configmaps", """{"metadata":{"name":"x"}}""");

        Assert.Equal(404, status);
        Assert.Equal("namespaces \"nowhere\" not found", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_Pod_IsPendingWithApiserverDefaults()
    {
        var pod = await Host.CreatePodAsync("team-a", "web-1", nodeName: "node-1");

        var spec = pod["spec"]!.AsObject();
        Assert.Equal(["containers", "restartPolicy", "terminationGracePeriodSeconds", "dnsPolicy", "serviceAccountName", "serviceAccount", "nodeName", "securityContext", "schedulerName", "tolerations", "priority", "enableServiceLinks", "preemptionPolicy"], spec.Select(p => p.Key));
        Assert.Equal("""{"phase":"Pending","qosClass":"BestEffort"}""", pod["status"]!.ToJsonString());
        Assert.Equal(1, pod["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Get_Existing_AnswersTheObjectWithItsResourceVersion()
    {
        var created = await Host.CreateConfigMapAsync("team-a", "one");

        var (status, body, text) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps/one");

        Assert.Equal(200, status);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        Assert.Equal(created.ToJsonString(), body!.ToJsonString());
    }

    [Fact]
    public async Task Get_Missing_Answers404LikeTheApiserver()
    {
        var (status, _, text) = await Host.GetAsync("/api/v1/namespaces/team-a/pods/nope");

        Assert.Equal(404, status);
        Assert.Equal(FixtureUpstream.FixtureText("03-get-pod-missing-404"), text);
    }

    [Fact]
    public async Task Get_UnknownResource_Answers404WithEmptyDetails()
    {
        var (status, _, text) = await Host.GetAsync("/api/v1/namespaces/team-a/gizmos/x");

        Assert.Equal(404, status);
        Assert.Equal(FixtureUpstream.FixtureText("03-get-unknown-resource-404"), text);
    }

    [Fact]
    public async Task Get_TooLargeResourceVersion_Answers504AfterTheBoundedWait()
    {
        await Host.CreateConfigMapAsync("team-a", "one");

        var (status, body, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps/one?resourceVersion=99999999");

        Assert.Equal(504, status);
        Assert.StartsWith("Timeout: Too large resource version: 99999999, current: ", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, body["details"]!["retryAfterSeconds"]!.GetValue<int>());
    }

    [Fact]
    public async Task Get_CurlUserAgent_IsIndentedWithoutTrailingNewline()
    {
        await Host.CreateConfigMapAsync("team-a", "pretty");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/team-a/configmaps/pretty");
        request.Headers.UserAgent.ParseAdd("curl/8.5.0");

        using var response = await Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("{\n  \"kind\": \"ConfigMap\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {\n    \"name\": \"pretty\",", text, StringComparison.Ordinal);
        Assert.EndsWith("}", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("application/vnd.kubernetes.protobuf")]
    [InlineData("application/json;as=Table;v=v1;g=meta.k8s.io")]
    public async Task Get_AcceptWithoutPlainJson_Answers406RatherThanTheWrongShape(string accept)
    {
        await Host.CreateConfigMapAsync("team-a", "shaped");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/team-a/configmaps/shaped");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await Host.Client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.NotAcceptable, response.StatusCode);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-406-not-acceptable"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task List_Namespace_AnswersTypedListWithoutItemKinds()
    {
        await Host.CreateConfigMapAsync("team-a", "a1");
        await Host.CreateConfigMapAsync("team-a", "a2");
        await Host.CreateConfigMapAsync("team-b", "b1");

        var (status, body, text) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps");

        Assert.Equal(200, status);
        Assert.StartsWith("{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"", text, StringComparison.Ordinal);
        var items = body!["items"]!.AsArray();
        Assert.Equal(["a1", "a2"], items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.All(items, i => Assert.Null(i!["kind"]));
        Assert.All(items, i => Assert.NotNull(i!["metadata"]!["resourceVersion"]));
    }

    [Fact]
    public async Task List_Crd_KeepsItemKindsAndSortsMetadata()
    {
        await Host.CreateAsync("/apis/example.com/v1/namespaces/team-a/widgets", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"gizmo","labels":{"app":"db"}},"spec":{"size":3,"color":"blue"}}""");

        var (_, body, text) = await Host.GetAsync("/apis/example.com/v1/namespaces/team-a/widgets");

        Assert.StartsWith("{\"apiVersion\":\"example.com/v1\",\"items\":[{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"creationTimestamp\":", text, StringComparison.Ordinal);
        Assert.Matches("\"kind\":\"WidgetList\",\"metadata\":\\{\"continue\":\"\",\"resourceVersion\":\"\\d+\"\\}\\}\n$", text);
        Assert.Equal("""{"color":"blue","size":3}""", body!["items"]![0]!["spec"]!.ToJsonString());
        Assert.Equal(1, body["items"]![0]!["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task List_LimitAndContinue_PagesStayAtThePinnedRevisionWhileWritesHappen()
    {
        for (var i = 0; i < 7; i++)
        {
            await Host.CreateConfigMapAsync("team-a", $"cm-{i}");
        }

        var (_, page1, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps?limit=3");
        var pinned = page1!["metadata"]!["resourceVersion"]!.GetValue<string>();
        Assert.Equal(4, page1["metadata"]!["remainingItemCount"]!.GetValue<long>());

        // Writes between pages: a new object, a deletion and an update must not show in later pages.
        await Host.CreateConfigMapAsync("team-a", "cm-3a");
        await Host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps/cm-5");
        await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps/cm-6", """{"metadata":{"name":"cm-6"},"data":{"k":"changed"}}""");

        var names = page1["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToList();
        var token = page1["metadata"]!["continue"]!.GetValue<string>();
        while (token.Length > 0)
        {
            var (status, page, text) = await Host.GetAsync($"/api/v1/namespaces/team-a/configmaps?limit=3&continue={token}");
            Assert.True(status == 200, text);
            Assert.Equal(pinned, page!["metadata"]!["resourceVersion"]!.GetValue<string>());
            names.AddRange(page["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            Assert.All(page["items"]!.AsArray(), i => Assert.NotEqual("changed", i!["data"]!["k"]!.GetValue<string>()));
            token = page["metadata"]!["continue"]?.GetValue<string>() ?? "";
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), names);
    }

    [Fact]
    public async Task List_ResourceVersionZero_IgnoresTheLimit()
    {
        for (var i = 0; i < 4; i++)
        {
            await Host.CreateConfigMapAsync("team-a", $"cm-{i}");
        }

        var (_, body, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps?resourceVersion=0&limit=2");

        Assert.Equal(4, body!["items"]!.AsArray().Count);
        Assert.Null(body["metadata"]!["continue"]);
    }

    [Fact]
    public async Task List_ExactOlderRevision_AnswersTheOldStateAtThatRevision()
    {
        await Host.CreateConfigMapAsync("team-a", "before");
        var (_, old, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps");
        var oldRv = old!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await Host.CreateConfigMapAsync("team-a", "after");

        var (_, exact, _) = await Host.GetAsync($"/api/v1/namespaces/team-a/configmaps?resourceVersion={oldRv}&resourceVersionMatch=Exact");
        var (_, notOlder, _) = await Host.GetAsync($"/api/v1/namespaces/team-a/configmaps?resourceVersion={oldRv}&resourceVersionMatch=NotOlderThan");

        Assert.Equal(oldRv, exact!["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(["before"], exact["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal(2, notOlder!["items"]!.AsArray().Count);
        Assert.True(long.Parse(notOlder["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > long.Parse(oldRv, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task List_CompactedExactRevision_Answers410()
    {
        var first = await Host.CreateConfigMapAsync("team-a", "x");
        await Host.CreateConfigMapAsync("team-a", "y");
        await Host.Store.CompactAsync(await Host.Store.GetRevisionAsync(CancellationToken.None), CancellationToken.None);

        var (status, _, text) = await Host.GetAsync($"/api/v1/namespaces/team-a/configmaps?resourceVersion={Rv(first)}&resourceVersionMatch=Exact");

        Assert.Equal(410, status);
        Assert.Equal(FixtureUpstream.FixtureText("06-restart-list-Exact-R1-compacted-410"), text);
    }

    [Fact]
    public async Task List_CompactedContinueToken_Answers410WithAnInconsistentContinuation()
    {
        for (var i = 0; i < 4; i++)
        {
            await Host.CreateConfigMapAsync("team-a", $"cm-{i}");
        }

        var (_, page1, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps?limit=2");
        await Host.CreateConfigMapAsync("team-a", "later");
        await Host.Store.CompactAsync(await Host.Store.GetRevisionAsync(CancellationToken.None), CancellationToken.None);

        var (status, body, _) = await Host.GetAsync($"/api/v1/namespaces/team-a/configmaps?limit=2&continue={page1!["metadata"]!["continue"]}");

        Assert.Equal(410, status);
        Assert.Equal("Expired", body!["reason"]!.GetValue<string>());
        var next = body["metadata"]!["continue"]!.GetValue<string>();
        var (nextStatus, rest, _) = await Host.GetAsync($"/api/v1/namespaces/team-a/configmaps?limit=10&continue={next}");
        Assert.Equal(200, nextStatus);
        Assert.Equal(["cm-2", "cm-3", "later"], rest!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("04-err-rv-not-a-number", "/api/v1/pods?resourceVersion=abc")]
    [InlineData("04-err-rvMatch-Exact-rv0", "/api/v1/pods?resourceVersionMatch=Exact&resourceVersion=0")]
    [InlineData("04-err-rvMatch-Exact-without-rv", "/api/v1/pods?resourceVersionMatch=Exact")]
    [InlineData("04-err-rvMatch-bogus", "/api/v1/pods?resourceVersionMatch=Bogus&resourceVersion=1")]
    [InlineData("04-err-continue-invalid-token", "/api/v1/pods?limit=3&continue=not-a-valid-token")]
    [InlineData("04-err-continue-wrong-version", "/api/v1/pods?limit=3&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjIiLCJydiI6MjQ5LCJzdGFydCI6Ii90ZWFtLWEvZGItMFx1MDAwMCJ9")]
    [InlineData("04-err-continue-with-rv", "/api/v1/pods?limit=3&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjUzLCJzdGFydCI6Ii90ZWFtLWEvZGItMFx1MDAwMCJ9&resourceVersion=249")]
    [InlineData("05-err-sendInitialEvents-on-list", "/api/v1/pods?sendInitialEvents=true&resourceVersionMatch=NotOlderThan")]
    [InlineData("05-err-watchlist-without-rvMatch", "/api/v1/pods?watch=1&sendInitialEvents=true&allowWatchBookmarks=true")]
    [InlineData("05-err-watchlist-rvMatch-Exact", "/api/v1/pods?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=Exact&resourceVersion=282")]
    [InlineData("04-err-watch-and-continue", "/api/v1/pods?watch=1&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjUzLCJzdGFydCI6Ii90ZWFtLWEvZGItMFx1MDAwMCJ9")]
    public async Task List_InvalidOptions_AnswerTheApiserversStatus(string fixture, string path)
    {
        var (status, _, text) = await Host.GetAsync(path);

        Assert.Equal(FixtureUpstream.FixtureText(fixture), text);
        Assert.Equal(FixtureUpstream.Fixture(fixture).StatusCode, status);
    }

    [Fact]
    public async Task Update_StaleResourceVersion_Answers409Conflict()
    {
        var created = await Host.CreateConfigMapAsync("team-a", "feature-flags");
        var rv = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        var (ok, _, _) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps/feature-flags",
            $$$"""{"metadata":{"name":"feature-flags","resourceVersion":"{{{rv}}}"},"data":{"a":"1"}}""");
        Assert.Equal(200, ok);

        var (status, _, text) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps/feature-flags",
            $$$"""{"metadata":{"name":"feature-flags","resourceVersion":"{{{rv}}}"},"data":{"a":"2"}}""");

        Assert.Equal(409, status);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-409-conflict-stale-update"), text);
    }

    [Fact]
    public async Task Update_NoChange_KeepsTheResourceVersion()
    {
        var created = await Host.CreateConfigMapAsync("team-a", "same");

        var (status, body, _) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps/same", created.ToJsonString());

        Assert.Equal(200, status);
        Assert.Equal(Rv(created), Rv(body!));
    }

    [Fact]
    public async Task Update_PodSpec_BumpsGenerationButStatusDoesNot()
    {
        var pod = await Host.CreatePodAsync("team-a", "gen");
        pod["spec"]!["activeDeadlineSeconds"] = 30;
        var (_, updated, _) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/pods/gen", pod.ToJsonString());
        Assert.Equal(2, updated!["metadata"]!["generation"]!.GetValue<long>());

        updated["status"] = JsonNode.Parse("""{"phase":"Running","podIP":"10.0.0.5"}""");
        var (status, afterStatus, _) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/pods/gen/status", updated.ToJsonString());

        Assert.Equal(200, status);
        Assert.Equal("Running", afterStatus!["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, afterStatus["metadata"]!["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Update_MainResource_IgnoresStatusChanges()
    {
        var pod = await Host.CreatePodAsync("team-a", "keep-status");
        pod["status"] = JsonNode.Parse("""{"phase":"Running"}""");
        pod["metadata"]!["labels"] = JsonNode.Parse("""{"x":"y"}""");

        var (_, updated, _) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/pods/keep-status", pod.ToJsonString());

        Assert.Equal("Pending", updated!["status"]!["phase"]!.GetValue<string>());
        Assert.Equal("y", updated["metadata"]!["labels"]!["x"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_Missing_Answers404()
    {
        var (status, _, _) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps/ghost", """{"metadata":{"name":"ghost"}}""");

        Assert.Equal(404, status);
    }

    [Fact]
    public async Task Put_OnCollection_Answers405LikeTheApiserver()
    {
        var (status, _, text) = await Host.SendAsync(HttpMethod.Put, "/api/v1/namespaces/team-a/configmaps", """{"metadata":{"name":"x"}}""");

        Assert.Equal(405, status);
        Assert.Equal(FixtureUpstream.FixtureText("04-err-405-method-not-allowed"), text);
    }

    [Fact]
    public async Task Patch_MergePatch_ChangesOnlyTheGivenFields()
    {
        await Host.CreateConfigMapAsync("team-a", "patched", labels: """{"app":"web","drop":"me"}""", data: """{"a":"1","b":"2"}""");

        var (status, body, text) = await Host.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/team-a/configmaps/patched",
            """{"metadata":{"labels":{"drop":null,"new":"yes"}},"data":{"b":"3"}}""", "application/merge-patch+json");

        Assert.True(status == 200, text);
        Assert.Equal("""{"app":"web","new":"yes"}""", body!["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("""{"a":"1","b":"3"}""", body["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Patch_JsonPatch_AppliesOperations()
    {
        await Host.CreateConfigMapAsync("team-a", "jp", data: """{"a":"1"}""");

        var (status, body, text) = await Host.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/team-a/configmaps/jp",
            """[{"op":"add","path":"/data/b","value":"2"},{"op":"remove","path":"/data/a"}]""", "application/json-patch+json");

        Assert.True(status == 200, text);
        Assert.Equal("""{"b":"2"}""", body!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Delete_ConfigMap_AnswersSuccessStatusAndThenNotFound()
    {
        var created = await Host.CreateConfigMapAsync("team-a", "gone");

        var (status, body, _) = await Host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps/gone");
        var (after, _, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps/gone");
        var (again, _, _) = await Host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps/gone");

        Assert.Equal(200, status);
        Assert.Equal("Success", body!["status"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), body["details"]!["uid"]!.GetValue<string>());
        Assert.Equal(404, after);
        Assert.Equal(404, again);
    }

    [Fact]
    public async Task Delete_StalePrecondition_Answers409()
    {
        await Host.CreateConfigMapAsync("team-a", "guarded");

        var (status, body, _) = await Host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps/guarded", """{"preconditions":{"resourceVersion":"1"}}""");

        Assert.Equal(409, status);
        Assert.Contains("the ResourceVersion in the precondition (1) does not match", body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteCollection_WithLabelSelector_DeletesOnlyMatches()
    {
        await Host.CreateConfigMapAsync("team-a", "a", labels: """{"app":"x"}""");
        await Host.CreateConfigMapAsync("team-a", "b", labels: """{"app":"y"}""");

        var (status, body, _) = await Host.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/team-a/configmaps?labelSelector=app%3Dx");
        var (_, left, _) = await Host.GetAsync("/api/v1/namespaces/team-a/configmaps");

        Assert.Equal(200, status);
        Assert.Equal(["a"], body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal(["b"], left!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task List_LabelAndFieldSelectors_FilterLikeTheApiserver()
    {
        await Host.CreatePodAsync("team-a", "p1", nodeName: "node-1", labels: """{"app":"web","tier":"frontend"}""");
        await Host.CreatePodAsync("team-a", "p2", nodeName: "node-2", labels: """{"app":"web"}""");
        await Host.CreatePodAsync("team-b", "p3", nodeName: "node-1", labels: """{"app":"db"}""");
        await Host.CreatePodAsync("team-b", "p4", labels: """{"app":"web","tier":"backend"}""");

        async Task<string[]> Names(string query)
        {
            var (status, body, text) = await Host.GetAsync("/api/v1/pods?" + query);
            Assert.True(status == 200, text);
            return [.. body!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())];
        }

        Assert.Equal(["p1", "p2"], await Names("labelSelector=app%3Dweb,tier!%3Dbackend"));
        Assert.Equal(["p1", "p4"], await Names("labelSelector=tier"));
        Assert.Equal(["p2", "p3"], await Names("labelSelector=!tier"));
        Assert.Equal(["p2", "p3", "p4"], await Names("labelSelector=app+in+(db,web),tier+notin+(frontend)"));
        Assert.Equal(["p1", "p3"], await Names("fieldSelector=spec.nodeName%3Dnode-1"));
        Assert.Equal(["p4"], await Names("fieldSelector=spec.nodeName%3D"));
        Assert.Equal(["p3"], await Names("fieldSelector=spec.nodeName%3Dnode-1,metadata.namespace%3Dteam-b"));
        Assert.Equal(["p1"], await Names("fieldSelector=spec.nodeName%3Dnode-1&labelSelector=app%3Dweb&limit=1"));
    }

    [Theory]
    [InlineData("04-err-fieldSelector-pods-spec.foo", "/api/v1/pods?fieldSelector=spec.foo%3Dbar")]
    [InlineData("04-err-fieldSelector-configmaps-spec.nodeName", "/api/v1/configmaps?fieldSelector=spec.nodeName%3Dnode-1")]
    [InlineData("04-err-labelSelector-malformed", "/api/v1/pods?labelSelector=app%3D%3D%3Dweb")]
    [InlineData("04-err-fieldSelector-in-operator", "/api/v1/pods?fieldSelector=spec.nodeName+in+%28node-1%29")]
    public async Task List_BadSelectors_AnswerTheApiserversStatus(string fixture, string path)
    {
        var (status, _, text) = await Host.GetAsync(path);

        Assert.Equal(400, status);
        Assert.Equal(FixtureUpstream.FixtureText(fixture), text);
    }
}

/// <summary>The REST suite over the in-memory store.</summary>
public sealed class InMemoryDevServerApiTests : DevServerApiTests
{
    private protected override Task<IRevisionedStore?> CreateStoreAsync() => Task.FromResult<IRevisionedStore?>(null);
}

/// <summary>The REST suite over etcd (a real etcd process).</summary>
[Collection(EtcdCollectionDefinition.Name)]
public sealed class EtcdDevServerApiTests(EtcdFixture etcd) : DevServerApiTests
{
    private protected override Task<IRevisionedStore?> CreateStoreAsync() => Task.FromResult<IRevisionedStore?>(etcd.CreateStore());
}
