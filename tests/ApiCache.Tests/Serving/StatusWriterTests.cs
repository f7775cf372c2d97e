using System.Text;
using ApiCache.Serving;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Serving;

/// <summary>Status bodies are byte-identical to the apiserver's (shared/fixtures).</summary>
public sealed class StatusWriterTests
{
    [Fact]
    public void ToBytes_NotFoundWithDetails_MatchesRecordedApiserverBody()
    {
        var error = new StatusError(404, "NotFound", "pods \"nope\" not found") { DetailsName = "nope", DetailsKind = "pods" };

        var body = StatusWriter.ToBytes(error);

        Assert.Equal(FixtureBody("03-get-pod-missing-404"), Encoding.UTF8.GetString(body));
    }

    [Fact]
    public void ToBytes_NotFoundWithoutDetails_MatchesRecordedApiserverBody()
    {
        var error = new StatusError(404, "NotFound", "the server could not find the requested resource") { EmptyDetails = true };

        Assert.Equal(FixtureBody("03-get-unknown-resource-404"), Encoding.UTF8.GetString(StatusWriter.ToBytes(error)));
    }

    [Fact]
    public void ToBytes_TimeoutWithCausesAndRetryAfter_MatchesRecordedApiserverBody()
    {
        var error = new StatusError(504, "Timeout", "Timeout: Too large resource version: 99999999, current: 255")
        {
            Causes = [new StatusCause("ResourceVersionTooLarge", "Too large resource version")],
            RetryAfterSeconds = 1,
        };

        Assert.Equal(FixtureBody("04-err-rv-too-large-list-NotOlderThan"), Encoding.UTF8.GetString(StatusWriter.ToBytes(error)));
    }

    [Fact]
    public void ToBytes_MessageWithQuotesAndNonAscii_EscapesLikeGo()
    {
        var error = new StatusError(409, "AlreadyExists", "configmaps \"café\\x\" already exists");

        var text = Encoding.UTF8.GetString(StatusWriter.ToBytes(error));

        Assert.Contains("\"message\":\"configmaps \\\"café\\\\x\\\" already exists\"", text, StringComparison.Ordinal);
    }

    private static string FixtureBody(string name) => Encoding.UTF8.GetString(FixtureUpstream.FixtureBody(name));
}
