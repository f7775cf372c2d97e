using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// An HTTP handler standing in for the upstream's SubjectAccessReview endpoint: records each request
/// (path and body) and answers with the status and body the test set, or fails the connection.
/// </summary>
internal sealed class ScriptedReviewHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<(string Path, string Body)> _requests = new();

    /// <summary>The status of the next answers.</summary>
    public HttpStatusCode Status { get; set; } = HttpStatusCode.Created;

    /// <summary>The body of the next answers.</summary>
    public string Body { get; set; } = """{"kind":"SubjectAccessReview","apiVersion":"authorization.k8s.io/v1","status":{"allowed":true}}""";

    /// <summary>Fail the connection instead of answering.</summary>
    public bool Unreachable { get; set; }

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<(string Path, string Body)> Requests => [.. _requests];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        _requests.Enqueue((request.RequestUri!.AbsolutePath, body));
        if (Unreachable)
        {
            throw new HttpRequestException("Connection refused (127.0.0.1:1)");
        }

        return new HttpResponseMessage(Status) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
    }
}
