using ApiCache.Requests;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Requests;

/// <summary>The apiserver's default long-running rule: watch/proxy verbs and attach/exec/proxy/log/portforward subresources.</summary>
public sealed class LongRunningRequestTests
{
    [Theory]
    [InlineData("GET", "/api/v1/pods?watch=true", true)]
    [InlineData("GET", "/api/v1/watch/namespaces/team-a/pods", true)]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods/web-1/log?follow=true", true)]
    [InlineData("POST", "/api/v1/namespaces/team-a/pods/web-1/exec?command=sh", true)]
    [InlineData("POST", "/api/v1/namespaces/team-a/pods/web-1/attach", true)]
    [InlineData("POST", "/api/v1/namespaces/team-a/pods/web-1/portforward", true)]
    [InlineData("GET", "/api/v1/namespaces/team-a/services/web:80/proxy/healthz", true)]
    [InlineData("GET", "/api/v1/proxy/namespaces/team-a/services/web", true)]
    [InlineData("GET", "/api/v1/pods", false)]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods/web-1", false)]
    [InlineData("PUT", "/api/v1/namespaces/team-a/pods/web-1/status", false)]
    [InlineData("GET", "/version", false)]
    public void Is_Request_MatchesApiserverRule(string method, string target, bool expected)
    {
        Assert.Equal(expected, LongRunningRequest.Is(TestRequests.Parse(method, target)));
    }
}
