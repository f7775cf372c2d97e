using ApiCache.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ApiCache.Tests.Infrastructure;

/// <summary>Request classification from a method and a request target as written on the wire.</summary>
internal static class TestRequests
{
    public static KubernetesRequestInfo Parse(string method, string target)
    {
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? target : target[..question];
        var query = new QueryCollection(QueryHelpers.ParseQuery(question < 0 ? "" : target[question..]));
        return RequestInfoParser.Parse(method, path, query);
    }
}
