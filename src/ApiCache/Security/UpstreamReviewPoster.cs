using System.Net;
using System.Net.Http.Headers;
using ApiCache.Balancing;

namespace ApiCache.Security;

/// <summary>
/// Posts a review (TokenReview, SubjectAccessReview) to the upstream with ApiCache's own
/// credentials, on the endpoint the pool chooses, trying one other endpoint when the first cannot
/// be reached or answers 429/5xx. The answer's status and body are returned as they are; a review
/// that reached no endpoint throws <see cref="AccessReviewUnavailableException"/>.
/// </summary>
internal sealed class UpstreamReviewPoster(UpstreamPool pool)
{
    /// <summary>The User-Agent of ApiCache's own review requests.</summary>
    public const string UserAgent = "apicache-review/v1 (linux) apicache";

    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    /// <summary>Posts <paramref name="json"/> to <paramref name="path"/> (e.g. <c>/apis/authorization.k8s.io/v1/subjectaccessreviews</c>).</summary>
    public async Task<(int Status, byte[] Body)> PostAsync(string path, byte[] json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(json);
        var endpoint = pool.Choose();
        for (var attempt = 0; ; attempt++)
        {
            var last = attempt > 0 || !pool.HasAlternative(endpoint);
            var current = endpoint;
            pool.RequestStarted(current);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.DestinationPrefix + path, UriKind.Absolute))
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                    Content = new ByteArrayContent(json),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Accept.Add(Json);
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                using var response = await endpoint.Invoker.SendAsync(request, cancellationToken);
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if ((status == 429 || status >= 500) && !last)
                {
                    pool.ReportFailure(endpoint, status, response.Headers.RetryAfter?.Delta);
                    endpoint = pool.Choose(exclude: endpoint);
                    continue;
                }

                return (status, body);
            }
            catch (HttpRequestException e)
            {
                pool.ReportFailure(endpoint, null, null);
                if (last)
                {
                    throw new AccessReviewUnavailableException($"cannot reach {endpoint.Name} for {path}: {e.Message}", e);
                }

                endpoint = pool.Choose(exclude: endpoint);
            }
            finally
            {
                pool.RequestEnded(current);
            }
        }
    }
}
