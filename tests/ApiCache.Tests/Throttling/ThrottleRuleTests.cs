using System.Threading.RateLimiting;
using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottleRuleTests
{
    private readonly FakeClock _clock = new();

    [Theory]
    [InlineData("kubectl", "kubectl", true)]
    [InlineData("kubectl", "KubeCtl", true)]
    [InlineData("kubectl", "kubectl-neat", false)]
    [InlineData("kubectl", "", false)]
    public void Matches_Product_ComparesWholeProductIgnoringCase(string ruleProduct, string product, bool expected)
    {
        // Arrange
        using var rule = new ThrottleRule(TestRules.Reject("r", ruleProduct), _clock);

        // Act
        var matches = rule.Matches(product, TestRules.Info("GET", "/api/v1/pods"));

        // Assert
        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("kube-", "kube-proxy", true)]
    [InlineData("kube-", "KUBE-scheduler", true)]
    [InlineData("kube-", "kubelet", false)]
    public void Matches_ProductPrefix_ComparesStartIgnoringCase(string prefix, string product, bool expected)
    {
        // Arrange
        var definition = TestRules.Reject("r", "x");
        definition.UserAgent = new UserAgentMatchOptions { ProductPrefix = prefix };
        using var rule = new ThrottleRule(definition, _clock);

        // Act
        var matches = rule.Matches(product, TestRules.Info("GET", "/api/v1/pods"));

        // Assert
        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("^bad-", "bad-agent", true)]
    [InlineData("agent", "bad-agent", true)]
    [InlineData("^agent$", "bad-agent", false)]
    [InlineData("^$", "", true)]
    [InlineData("^$", "curl", false)]
    public void Matches_Regex_SearchesTheProduct(string regex, string product, bool expected)
    {
        // Arrange
        var definition = TestRules.Reject("r", "x");
        definition.UserAgent = new UserAgentMatchOptions { Regex = regex };
        using var rule = new ThrottleRule(definition, _clock);

        // Act
        var matches = rule.Matches(product, TestRules.Info("GET", "/api/v1/pods"));

        // Assert
        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("GET", "/api/v1/pods", false)]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods", true)]
    [InlineData("GET", "/api/v1/namespaces/team-b/pods", false)]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods?watch=true", true)]
    [InlineData("GET", "/api/v1/namespaces/team-a/pods/web-1", false)]
    [InlineData("GET", "/api/v1/namespaces/team-a/configmaps", false)]
    [InlineData("GET", "/version", false)]
    public void Matches_VerbsResourcesNamespaces_NarrowTheRule(string method, string target, bool expected)
    {
        // Arrange: list or watch of pods in team-a (an all-namespaces list has no namespace: no match).
        var definition = TestRules.Reject("r", "bad-agent");
        definition.Verbs = ["list", "WATCH"];
        definition.Resources = ["pods"];
        definition.Namespaces = ["team-a"];
        using var rule = new ThrottleRule(definition, _clock);
        var info = TestRules.Info(method, target);

        // Act
        var matches = rule.Matches("bad-agent", info);

        // Assert
        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("pods", "/api/v1/namespaces/a/pods/web-1/log", true)]
    [InlineData("pods", "/api/v1/namespaces/a/pods/web-1", true)]
    [InlineData("pods/log", "/api/v1/namespaces/a/pods/web-1/log", true)]
    [InlineData("pods/log", "/api/v1/namespaces/a/pods/web-1", false)]
    [InlineData("pods/log", "/api/v1/namespaces/a/pods/web-1/status", false)]
    [InlineData("deployments.apps", "/apis/apps/v1/namespaces/a/deployments", true)]
    [InlineData("deployments.apps", "/apis/extensions/v1beta1/namespaces/a/deployments", false)]
    [InlineData("deployments", "/apis/apps/v1/namespaces/a/deployments", false)]
    [InlineData("pods", "/apis/metrics.k8s.io/v1beta1/pods", false)]
    public void Matches_Resources_MatchGroupAndSubresource(string resource, string path, bool expected)
    {
        // Arrange
        var definition = TestRules.Reject("r", "x");
        definition.Resources = [resource];
        using var rule = new ThrottleRule(definition, _clock);

        // Act
        var matches = rule.Matches("x", TestRules.Info("GET", path));

        // Assert
        Assert.Equal(expected, matches);
    }

    [Fact]
    public void Match_SeveralRulesMatch_FirstInOrderWins()
    {
        // Arrange
        var lists = TestRules.Reject("lists", "kubectl");
        lists.Verbs = ["list"];
        var set = new ThrottleRuleSet(
            [new ThrottleRule(lists, _clock), new ThrottleRule(TestRules.TokenBucket("all-kubectl", "kubectl", 1), _clock), new ThrottleRule(TestRules.Reject("late", "kubectl"), _clock)],
            1,
            ThrottleChangeSource.File);

        // Act
        var forList = set.Match("kubectl", TestRules.Info("GET", "/api/v1/pods"));
        var forGet = set.Match("kubectl", TestRules.Info("GET", "/api/v1/namespaces/a/pods/p"));
        var forOther = set.Match("curl", TestRules.Info("GET", "/api/v1/pods"));

        // Assert
        Assert.Equal("lists", forList?.Name);
        Assert.Equal("all-kubectl", forGet?.Name);
        Assert.Null(forOther);
    }

    [Fact]
    public void Acquire_TokenBucketPerUserAgent_EachUserAgentStringHasItsOwnBucket()
    {
        // Arrange
        using var rule = new ThrottleRule(TestRules.TokenBucket("r", "kubelet", rate: 1, burst: 2), _clock);

        // Act
        var first = Enumerable.Range(0, 3).Select(_ => rule.Acquire("kubelet/v1.33.1 (linux/amd64) kubernetes/a").IsAcquired).ToList();
        var second = Enumerable.Range(0, 3).Select(_ => rule.Acquire("kubelet/v1.32.0 (linux/amd64) kubernetes/b").IsAcquired).ToList();

        // Assert
        Assert.Equal([true, true, false], first);
        Assert.Equal([true, true, false], second);
        Assert.Equal(2, rule.PartitionCount);
    }

    [Fact]
    public void Acquire_TokenBucketPerRule_AllUserAgentsShareOneBucket()
    {
        // Arrange
        using var rule = new ThrottleRule(TestRules.TokenBucket("r", "kubelet", rate: 1, burst: 2, ThrottlePartitionBy.Rule), _clock);

        // Act
        var results = new[] { "kubelet/a", "kubelet/b", "kubelet/c" }.Select(ua => rule.Acquire(ua).IsAcquired).ToList();

        // Assert
        Assert.Equal([true, true, false], results);
        Assert.Equal(0, rule.PartitionCount);
    }

    [Fact]
    public void Acquire_TokenBucket_RefillsAtTheRateOfTheClock()
    {
        // Arrange: 2 per second, burst 4.
        using var rule = new ThrottleRule(TestRules.TokenBucket("r", "x", rate: 2, burst: 4), _clock);
        var drained = Enumerable.Range(0, 5).Count(_ => rule.Acquire("x").IsAcquired);

        // Act
        _clock.Advance(TimeSpan.FromMilliseconds(499));
        var before = rule.Acquire("x").IsAcquired;
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var after = rule.Acquire("x").IsAcquired;
        _clock.Advance(TimeSpan.FromSeconds(60));
        var afterIdle = Enumerable.Range(0, 6).Count(_ => rule.Acquire("x").IsAcquired);

        // Assert: a long quiet spell refills up to the burst, never beyond.
        Assert.Equal(4, drained);
        Assert.False(before);
        Assert.True(after);
        Assert.Equal(4, afterIdle);
    }

    [Fact]
    public void Acquire_Concurrency_RefusesPastMaxUntilALeaseIsReleased()
    {
        // Arrange
        using var rule = new ThrottleRule(TestRules.Concurrency("r", "x", maxInFlight: 2), _clock);
        var one = rule.Acquire("x");
        var two = rule.Acquire("x");

        // Act
        var three = rule.Acquire("x");
        one.Dispose();
        one.Dispose(); // releasing twice (response start, then request end) must count once
        var four = rule.Acquire("x");
        var five = rule.Acquire("x");

        // Assert
        Assert.True(one.IsAcquired && two.IsAcquired);
        Assert.False(three.IsAcquired);
        Assert.True(four.IsAcquired);
        Assert.False(five.IsAcquired);
    }

    [Fact]
    public void Acquire_Reject_AlwaysRefuses()
    {
        // Arrange
        using var rule = new ThrottleRule(TestRules.Reject("r", "x"), _clock);

        // Act
        var lease = rule.Acquire("x");

        // Assert
        Assert.False(lease.IsAcquired);
        Assert.Equal(
            "Too many requests, please try again later: throttled by ApiCache rule \"r\" (rejects every request it matches) for User-Agent \"x\".",
            rule.RejectionMessage("x"));
    }

    [Fact]
    public void Acquire_AfterDispose_GrantsInsteadOfThrowing()
    {
        // Arrange: a request matched the rule just before a change replaced (and disposed) it.
        var rule = new ThrottleRule(TestRules.Concurrency("r", "x", 1), _clock);
        var held = rule.Acquire("x");
        rule.Dispose();

        // Act
        var lease = rule.Acquire("x");
        held.Dispose();

        // Assert
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public void RejectionMessage_TokenBucket_NamesRuleLimitAndUserAgent()
    {
        // Arrange
        using var perAgent = new ThrottleRule(TestRules.TokenBucket("bad-agent", "bad-agent", 0.5), _clock);
        using var shared = new ThrottleRule(TestRules.Concurrency("kubelets", "kubelet", 10, ThrottlePartitionBy.Rule), _clock);

        // Act
        var bucket = perAgent.RejectionMessage("bad-agent");
        var concurrency = shared.RejectionMessage("");

        // Assert
        Assert.Equal(
            "Too many requests, please try again later: throttled by ApiCache rule \"bad-agent\" (token bucket: 0.5 per second, burst 1, per User-Agent) for User-Agent \"bad-agent\".",
            bucket);
        Assert.Equal(
            "Too many requests, please try again later: throttled by ApiCache rule \"kubelets\" (concurrency: at most 10 in flight, shared by the rule) for User-Agent \"unknown\".",
            concurrency);
    }

    [Fact]
    public void Definition_CallerChangesItsOptions_RuleKeepsItsCopy()
    {
        // Arrange
        var definition = TestRules.Reject("r", "kubectl");
        using var rule = new ThrottleRule(definition, _clock);

        // Act
        definition.UserAgent!.Product = "curl";

        // Assert
        Assert.Equal("kubectl", rule.Definition.UserAgent!.Product);
        Assert.True(rule.Matches("kubectl", TestRules.Info("GET", "/api/v1/pods")));
    }

    [Fact]
    public void Acquire_EmptyBucket_SaysWhenTheNextTokenComes()
    {
        // Arrange
        using var rule = new ThrottleRule(TestRules.TokenBucket("r", "x", rate: 0.1, burst: 1), _clock);
        rule.Acquire("x");

        // Act
        var refused = rule.Acquire("x");

        // Assert: the next token of a 0.1/s bucket is 10 s away.
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(10), retryAfter);
    }
}
