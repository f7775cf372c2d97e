using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Requests;

/// <summary>Request classification matches the apiserver's RequestInfoFactory.</summary>
public sealed class RequestInfoParserTests
{
    [Theory]
    // method, target, verb, group, version, namespace, resource, name, subresource
    [InlineData("GET", "/api/v1/pods", "list", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/api/v1/pods?watch=true", "watch", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/api/v1/pods?watch=1", "watch", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/api/v1/pods?watch=false", "list", "", "v1", "", "pods", "", "")]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods", "list", "", "v1", "team-a", "pods", "", "")]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods/web-1", "get", "", "v1", "team-a", "pods", "web-1", "")]
    [InlineData("HEAD", "/api/v1/namespaces/team-a/pods/web-1", "get", "", "v1", "team-a", "pods", "web-1", "")]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods/web-1/log?follow=true", "get", "", "v1", "team-a", "pods", "web-1", "log")]
    [InlineData("POST", "/api/v1/namespaces/team-a/pods/web-1/exec?command=sh", "create", "", "v1", "team-a", "pods", "web-1", "exec")]
    [InlineData("PUT", "/api/v1/nodes/node-1/status", "update", "", "v1", "", "nodes", "node-1", "status")]
    [InlineData("PATCH", "/apis/apps/v1/namespaces/team-a/deployments/web/scale", "patch", "apps", "v1", "team-a", "deployments", "web", "scale")]
    [InlineData("POST", "/apis/example.com/v1/namespaces/team-a/widgets", "create", "example.com", "v1", "team-a", "widgets", "", "")]
    [InlineData("DELETE", "/api/v1/namespaces/team-a/configmaps/x", "delete", "", "v1", "team-a", "configmaps", "x", "")]
    [InlineData("DELETE", "/api/v1/namespaces/team-a/configmaps", "deletecollection", "", "v1", "team-a", "configmaps", "", "")]
    [InlineData("GET", "/api/v1/namespaces", "list", "", "v1", "", "namespaces", "", "")]
    [InlineData("GET", "/api/v1/namespaces/team-a", "get", "", "v1", "team-a", "namespaces", "team-a", "")]
    [InlineData("PUT", "/api/v1/namespaces/team-a/finalize", "update", "", "v1", "team-a", "namespaces", "team-a", "finalize")]
    [InlineData("GET", "/api/v1/namespaces/team-a/status", "get", "", "v1", "team-a", "namespaces", "team-a", "status")]
    [InlineData("GET", "/api/v1/watch/namespaces/team-b/pods", "watch", "", "v1", "team-b", "pods", "", "")]
    [InlineData("GET", "/api/v1/watch/namespaces/team-b/pods/web-1", "watch", "", "v1", "team-b", "pods", "web-1", "")]
    [InlineData("GET", "/api/v1/proxy/namespaces/team-b/services/web", "proxy", "", "v1", "team-b", "services", "web", "")]
    [InlineData("GET", "/api/v1/namespaces/team-b/services/web:80/proxy/healthz", "get", "", "v1", "team-b", "services", "web:80", "proxy")]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods?fieldSelector=metadata.name%3Dweb-1", "list", "", "v1", "team-a", "pods", "web-1", "")]
    [InlineData("GET", "/api/v1/nodes?fieldSelector=metadata.name%3D%3Dnode-1&watch=true", "watch", "", "v1", "", "nodes", "node-1", "")]
    [InlineData("GET", "/api/v1/pods?fieldSelector=metadata.name!%3Dweb-1", "list", "", "v1", "", "pods", "", "")]
    public void Parse_ResourceRequest_MatchesApiserverClassification(
        string method, string target, string verb, string group, string version, string ns, string resource, string name, string subresource)
    {
        var info = TestRequests.Parse(method, target);

        Assert.True(info.IsResourceRequest);
        Assert.Equal(verb, info.Verb);
        Assert.Equal(group, info.ApiGroup);
        Assert.Equal(version, info.ApiVersion);
        Assert.Equal(ns, info.Namespace);
        Assert.Equal(resource, info.Resource);
        Assert.Equal(name, info.Name);
        Assert.Equal(subresource, info.Subresource);
    }

    [Theory]
    [InlineData("GET", "/version", "get")]
    [InlineData("GET", "/api", "get")]
    [InlineData("GET", "/api/v1", "get")]
    [InlineData("GET", "/apis", "get")]
    [InlineData("GET", "/apis/apps", "get")]
    [InlineData("GET", "/apis/apps/v1", "get")]
    [InlineData("GET", "/openapi/v3", "get")]
    [InlineData("POST", "/healthz", "post")]
    [InlineData("GET", "/api/v1/watch", "get")]
    public void Parse_NonResourceRequest_UsesLowerCaseMethodAsVerb(string method, string target, string verb)
    {
        var info = TestRequests.Parse(method, target);

        Assert.False(info.IsResourceRequest);
        Assert.Equal(verb, info.Verb);
        Assert.Equal("", info.Resource);
    }
}
