using System.Net;
using System.Net.Http.Headers;
using ApiCache.Security;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApiCache.Tests.Security.Authentication;

/// <summary>
/// Impersonation the caller asks for: each requested attribute authorized as the apiserver does
/// (verb impersonate, the caller as the user), the impersonated user forwarded when allowed, the
/// apiserver's 403 when not (or when no decision can be had), and no impersonation at all without an access reviewer.
/// </summary>
public sealed class CallerImpersonationTests : IAsyncLifetime
{
    private TokenReviewingUpstream _upstream = null!;

    public async Task InitializeAsync()
    {
        _upstream = await TokenReviewingUpstream.StartWithAliceAsync();
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task Impersonation_Allowed_ForwardsTheImpersonatedUser()
    {
        // Arrange
        var reviewer = new FakeAccessReviewer(_ => true);
        await using var proxy = await StartProxyAsync(reviewer);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("alice-token");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "bob");
        request.Headers.TryAddWithoutValidation("Impersonate-Uid", "bob-uid");
        request.Headers.TryAddWithoutValidation("Impersonate-Group", "team-x");
        request.Headers.TryAddWithoutValidation("Impersonate-Extra-Example.org%2FScopes", "view");

        // Act
        using var response = await client.SendAsync(request);

        // Assert: one review per attribute, in the apiserver's order, each asked as alice.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            [
                ("users", "", "", "bob"),
                ("groups", "", "", "team-x"),
                ("userextras", "authentication.k8s.io", "example.org/scopes", "view"),
                ("uids", "authentication.k8s.io", "", "bob-uid"),
            ],
            reviewer.Asked.Select(a => (a.Resource, a.Group, a.Subresource, a.Name)));
        Assert.All(reviewer.Asked, a =>
        {
            Assert.Equal("impersonate", a.Verb);
            Assert.Equal("alice", a.User.Name);
        });
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal(["bob"], forwarded.Values("Impersonate-User"));
        Assert.Equal(["bob-uid"], forwarded.Values("Impersonate-Uid"));
        Assert.Equal(["team-x"], forwarded.Values("Impersonate-Group"));
        Assert.Equal(["view"], forwarded.Values("Impersonate-Extra-example.org%2Fscopes"));
    }

    [Fact]
    public async Task Impersonation_ServiceAccount_IsAuthorizedOnServiceAccountsAndGetsItsGroups()
    {
        // Arrange
        var reviewer = new FakeAccessReviewer(_ => true);
        await using var proxy = await StartProxyAsync(reviewer);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("alice-token");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "system:serviceaccount:team-a:builder");

        // Act
        using var response = await client.SendAsync(request);

        // Assert: the upstream derives the service account's groups from its name, so none are sent.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var asked = Assert.Single(reviewer.Asked);
        Assert.Equal(("serviceaccounts", "team-a", "builder"), (asked.Resource, asked.Namespace, asked.Name));
        var forwarded = Assert.Single(_upstream.Forwarded);
        Assert.Equal(["system:serviceaccount:team-a:builder"], forwarded.Values("Impersonate-User"));
        Assert.Empty(forwarded.Values("Impersonate-Group"));
    }

    [Fact]
    public async Task Impersonation_GroupDenied_Answers403InTheApiserversWording()
    {
        // Arrange: alice may impersonate users, not groups.
        var reviewer = new FakeAccessReviewer(a => a.Resource == "users");
        await using var proxy = await StartProxyAsync(reviewer);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("alice-token");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "bob");
        request.Headers.TryAddWithoutValidation("Impersonate-Group", "system:masters");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"groups \\\"system:masters\\\" is forbidden: User \\\"alice\\\" cannot impersonate resource \\\"groups\\\" in API group \\\"\\\" at the cluster scope\",\"reason\":\"Forbidden\",\"details\":{\"name\":\"system:masters\",\"kind\":\"groups\"},\"code\":403}\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_upstream.Forwarded);
    }

    [Fact]
    public async Task Impersonation_ReviewUnavailable_Answers403AndPlainRequestsStillPass()
    {
        // Arrange: no decision can be had.
        var reviewer = new FakeAccessReviewer(_ => throw new AccessReviewUnavailableException("upstream down"));
        await using var proxy = await StartProxyAsync(reviewer);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("alice-token");
        request.Headers.TryAddWithoutValidation("Impersonate-User", "bob");
        using var plain = Request("alice-token");

        // Act
        using var response = await client.SendAsync(request);
        using var withoutImpersonation = await client.SendAsync(plain);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            "users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
            JsonNode.Parse(await response.Content.ReadAsStringAsync())!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, withoutImpersonation.StatusCode);
        Assert.Equal(["alice"], Assert.Single(_upstream.Forwarded).Values("Impersonate-User"));
    }

    [Fact]
    public async Task ApplyAsync_NoAccessReviewer_RefusesWith403()
    {
        // Arrange: impersonation checked without any reviewer to ask.
        var impersonation = new CallerImpersonation(reviewer: null, NullLogger.Instance);
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/v1/pods";
        context.Request.Headers["Impersonate-User"] = "bob";
        context.Response.Body = new MemoryStream();
        var alice = UserInfo.Authenticated("alice", "", ["developers"]);

        // Act
        var user = await impersonation.ApplyAsync(context, alice);

        // Assert
        Assert.Null(user);
        Assert.Equal(403, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var message = JsonNode.Parse(context.Response.Body)!["message"]!.GetValue<string>();
        Assert.StartsWith("users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Impersonation_GroupWithoutUser_Answers500AsTheApiserver()
    {
        // Arrange
        var reviewer = new FakeAccessReviewer(_ => true);
        await using var proxy = await StartProxyAsync(reviewer);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var request = Request("alice-token");
        request.Headers.TryAddWithoutValidation("Impersonate-Group", "team-x");

        // Act
        using var response = await client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(
            "Internal Server Error: \"/api/v1/pods\": requested [{Group  team-x    }] without impersonating a user\n",
            await response.Content.ReadAsStringAsync());
        Assert.Empty(reviewer.Asked);
        Assert.Empty(_upstream.Forwarded);
    }

    private Task<Infrastructure.LoopbackServer> StartProxyAsync(FakeAccessReviewer reviewer) =>
        AuthenticatingProxy.StartAsync(_upstream, services: (services, afterApiCache) =>
        {
            if (afterApiCache)
            {
                // Whatever the authorization side registers, these tests decide (the last registration wins).
                services.AddSingleton<IAccessReviewer>(reviewer);
            }
        });

    private static HttpRequestMessage Request(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/pods");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
