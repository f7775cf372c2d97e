using ApiCache.Configuration;
using Xunit.Abstractions;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// A caller who sends identity headers of its own — Impersonate-* (which the apiserver authorizes
/// as impersonation) or X-Remote-* (which only a front proxy's certificate may set) — gets through
/// the proxy exactly what it gets from the apiserver straight away: a 403 for impersonation it may
/// not do, its own view when the X-Remote-* headers are ignored; never admin's view. In both
/// forwarding modes (the proxy's own Impersonate-* or X-Remote-* headers must not mix with the caller's).
/// </summary>
public sealed class SpoofingTests(ITestOutputHelper output)
{
    private static readonly (string Name, (string Name, string Value)[] Headers)[] Spoofs =
    [
        ("Impersonate-User admin", [("Impersonate-User", "admin")]),
        ("Impersonate-User admin + Impersonate-Group system:masters", [("Impersonate-User", "admin"), ("Impersonate-Group", "system:masters")]),
        ("Impersonate-Group system:masters", [("Impersonate-Group", "system:masters")]),
        ("Impersonate-User alice + Impersonate-Group system:masters", [("Impersonate-User", "alice"), ("Impersonate-Group", "system:masters")]),
        ("Impersonate-User alice + Impersonate-Uid admin-uid", [("Impersonate-User", "alice"), ("Impersonate-Uid", "admin-uid")]),
        ("Impersonate-User alice + Impersonate-Extra-Scopes", [("Impersonate-User", "alice"), ("Impersonate-Extra-Scopes", "all")]),
        ("impersonate-user admin (lower case)", [("impersonate-user", "admin")]),
        ("X-Remote-User admin + X-Remote-Group system:masters", [("X-Remote-User", "admin"), ("X-Remote-Group", "system:masters")]),
        ("X-Remote-Group system:masters", [("X-Remote-Group", "system:masters")]),
        ("X-Remote-User admin + X-Remote-Extra-Scopes", [("X-Remote-User", "admin"), ("X-Remote-Extra-Scopes", "all")]),
    ];

    private static readonly MatrixRequest[] Requests =
    [
        new("list pods team-a", "/api/v1/namespaces/team-a/pods", MatrixKind.List),
        new("list pods team-b", "/api/v1/namespaces/team-b/pods", MatrixKind.List),
        new("list pods all", "/api/v1/pods", MatrixKind.List),
        new("get pod team-b/web-1", "/api/v1/namespaces/team-b/pods/web-1", MatrixKind.Get),
        new("watch pods team-b", "/api/v1/namespaces/team-b/pods?watch=true&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=3", MatrixKind.Watch),
        new("list nodes", "/api/v1/nodes", MatrixKind.List),
        new("create configmap team-b", "/api/v1/namespaces/team-b/configmaps", MatrixKind.Create),
    ];

    [Theory]
    [InlineData(IdentityForwardingMode.Impersonate)]
    [InlineData(IdentityForwardingMode.FrontProxy)]
    public async Task SpoofedIdentityHeaders_AsAlice_SameAnswerAsTheApiServerAndNeverMore(IdentityForwardingMode forwarding)
    {
        // Arrange
        await using var cluster = await SecureCluster.StartAsync(forwarding);
        var mismatches = new List<string>();
        var escalations = new List<string>();
        var cells = 0;

        // Act
        for (var s = 0; s < Spoofs.Length; s++)
        {
            var (spoof, headers) = Spoofs[s];
            foreach (var alice in new[] { cluster.AliceToken, cluster.AliceCertificate })
            {
                for (var r = 0; r < Requests.Length; r++)
                {
                    var request = Requests[r];
                    var direct = await MatrixClient.SendAsync(cluster.Client(alice, Route.Direct), request, $"s{s}-{r}-{alice.Name}-direct", headers);
                    var proxy = await MatrixClient.SendAsync(cluster.Client(alice, Route.Proxy), request, $"s{s}-{r}-{alice.Name}-proxy", headers);
                    cells++;
                    var cell = $"{alice.Name} + {spoof} x {request.Name}";
                    output.WriteLine($"{cell}: direct {direct.Status}, proxy {proxy.Status}");
                    if (direct.Status != proxy.Status || direct.Summary != proxy.Summary)
                    {
                        mismatches.Add($"{cell}:\n    direct: {direct}\n    proxy:  {proxy}");
                    }

                    // alice may only read pods in team-a; anything else that succeeds is someone else's view.
                    var allowed = request.Name == "list pods team-a";
                    if ((!allowed && proxy.Status is >= 200 and < 300) || ForeignObjects.Find(proxy.Body, "team-a", []).Count > 0)
                    {
                        escalations.Add($"{cell}: proxy answered {proxy}");
                    }
                }
            }
        }

        // Assert
        Assert.Equal(Spoofs.Length * 2 * Requests.Length, cells);
        Assert.True(escalations.Count == 0, "the proxy gave alice more than her own view:\n" + string.Join("\n", escalations));
        Assert.True(mismatches.Count == 0, "the proxy answered differently from the apiserver:\n" + string.Join("\n", mismatches));
    }
}
