using ApiCache.Configuration;
using ApiCache.Tests.Infrastructure;
using ApiCache.Throttling;
using Microsoft.Extensions.Options;

namespace ApiCache.Tests.Throttling;

public sealed class ThrottleRuleStoreTests : IDisposable
{
    private readonly FakeClock _clock = new();
    private readonly ThrottlingTestMetrics _metrics = new();
    private readonly RecordingLogger<ThrottleRuleStore> _logger = new();

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public void Constructor_ConfiguredRules_AreGenerationOneFromFile()
    {
        // Arrange
        var options = Options([TestRules.Reject("a", "a"), TestRules.TokenBucket("b", "b", 1)]);

        // Act
        using var store = CreateStore(options);

        // Assert
        Assert.Equal(["a", "b"], store.Current.Rules.Select(r => r.Name));
        Assert.Equal(1, store.Current.Generation);
        Assert.Equal(ThrottleChangeSource.File, store.Current.Source);
        Assert.Equal(new ThrottleLimits(true, 400, 200, 1), store.Limits);
        Assert.Contains(_logger.Entries, e => e.EventId == 500 && e.Message == "Throttling rules changed by file (generation 1): 2 rule(s) in force [a, b]; added [a, b], changed [], removed []");
        Assert.Contains("apicache_throttle_rule_changes_total{source=\"file\"} 1", _metrics.Lines("apicache_throttle_rule_changes_total"));
    }

    [Fact]
    public void Constructor_InvalidRules_ThrowConfigurationException()
    {
        // Act
        var error = Assert.Throws<ApiCacheConfigurationException>(() => CreateStore(Options([TestRules.Reject("UPPER", "a")])));

        // Assert
        Assert.StartsWith("ApiCache:Throttling:Rules:0:Name \"UPPER\" is not a valid rule name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyConfiguration_SameRules_ChangesNothing()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a")]));
        var before = store.Current;

        // Act
        var update = store.ApplyConfiguration(Options([TestRules.Reject("a", "a")]).Value.Throttling);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Unchanged, update.Status);
        Assert.Same(before, store.Current);
    }

    [Fact]
    public void ApplyConfiguration_OneRuleChanged_KeepsTheOthersLimiterState()
    {
        // Arrange: rule "keep" has used its only token.
        using var store = CreateStore(Options([TestRules.TokenBucket("keep", "k", 0.001, 1), TestRules.TokenBucket("change", "c", 1)]));
        var keep = store.Current.Find("keep")!;
        Assert.True(keep.Acquire("k").IsAcquired);

        // Act
        var update = store.ApplyConfiguration(Options([TestRules.TokenBucket("keep", "k", 0.001, 1), TestRules.TokenBucket("change", "c", 2), TestRules.Reject("new", "n")]).Value.Throttling);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Applied, update.Status);
        Assert.Equal(2, store.Current.Generation);
        Assert.Same(keep, store.Current.Find("keep"));
        Assert.False(store.Current.Find("keep")!.Acquire("k").IsAcquired);
        Assert.Equal(2, store.Current.Find("change")!.Definition.Limiter!.Rate);
        Assert.Contains(_logger.Entries, e => e.Message.EndsWith("3 rule(s) in force [keep, change, new]; added [new], changed [change], removed []", StringComparison.Ordinal));
    }

    [Fact]
    public void ApplyConfiguration_InvalidRules_KeepsPreviousRulesAndCounts()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a")]));
        var before = store.Current;

        // Act
        var update = store.ApplyConfiguration(Options([TestRules.TokenBucket("a", "a", -1)]).Value.Throttling);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Invalid, update.Status);
        Assert.Equal(["ApiCache:Throttling:Rules:0:Limiter:Rate must be greater than 0 and at most 1000000 (got -1)."], update.Errors);
        Assert.Same(before, store.Current);
        Assert.Contains(_logger.Entries, e => e.EventId == 501 && e.Message.Contains("the previous rules (generation 1) stay in force", StringComparison.Ordinal));
        Assert.Contains("apicache_throttle_rule_changes_rejected_total{source=\"file\"} 1", _metrics.Lines("apicache_throttle_rule_changes_rejected_total"));
    }

    [Fact]
    public void ApplyConfiguration_AfterAdminChangeWithUnchangedFileRules_KeepsTheAdminRules()
    {
        // Arrange: an admin adds a rule, then someone edits another part of the file (same rules).
        var options = Options([TestRules.Reject("a", "a")]);
        using var store = CreateStore(options);
        store.Upsert("admin-rule", TestRules.Reject("admin-rule", "x"), null, null);
        options.Value.Throttling.MaxReadsInFlight = 7;

        // Act
        var unrelated = store.ApplyConfiguration(options.Value.Throttling);
        var afterUnrelated = store.Current.Rules.Select(r => r.Name).ToList();
        var readsAfterUnrelated = store.Limits.MaxReadsInFlight;
        var fileChange = store.ApplyConfiguration(Options([TestRules.Reject("b", "b")]).Value.Throttling);

        // Assert: limits follow the file at once; rules only when the file's rules change (last change wins).
        Assert.Equal(ThrottleUpdateStatus.Unchanged, unrelated.Status);
        Assert.Equal(["a", "admin-rule"], afterUnrelated);
        Assert.Equal(7, readsAfterUnrelated);
        Assert.Equal(ThrottleUpdateStatus.Applied, fileChange.Status);
        Assert.Equal(["b"], store.Current.Rules.Select(r => r.Name));
        Assert.Equal(ThrottleChangeSource.File, store.Current.Source);
        Assert.Equal(3, store.Current.Generation);
    }

    [Fact]
    public void ApplyConfiguration_NewLimits_TakeEffectAndAreLogged()
    {
        // Arrange
        using var store = CreateStore(Options([]));
        var options = Options([]).Value.Throttling;
        options.MaxReadsInFlight = 3;
        options.Enabled = false;

        // Act
        store.ApplyConfiguration(options);

        // Assert
        Assert.Equal(new ThrottleLimits(false, 3, 200, 1), store.Limits);
        Assert.Contains(_logger.Entries, e => e.EventId == 503);
    }

    [Fact]
    public void Upsert_NewRule_AppendsAndReportsCreated()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a")]));
        var rule = TestRules.Reject("ignored", "b");
        rule.Name = null;

        // Act
        var update = store.Upsert("b", rule, null, null);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Created, update.Status);
        Assert.Equal(["a", "b"], store.Current.Rules.Select(r => r.Name));
        Assert.Equal(ThrottleChangeSource.Admin, store.Current.Source);
        Assert.Contains("apicache_throttle_rule_changes_total{source=\"admin\"} 1", _metrics.Lines("apicache_throttle_rule_changes_total"));
    }

    [Fact]
    public void Upsert_ExistingRule_ReplacesInPlaceUnlessIndexGiven()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a"), TestRules.Reject("b", "b"), TestRules.Reject("c", "c")]));

        // Act
        var inPlace = store.Upsert("b", TestRules.TokenBucket("b", "b", 1), null, null);
        var names1 = store.Current.Rules.Select(r => r.Name).ToList();
        var moved = store.Upsert("c", TestRules.Reject("c", "c"), 0, null);
        var names2 = store.Current.Rules.Select(r => r.Name).ToList();

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Applied, inPlace.Status);
        Assert.Equal(["a", "b", "c"], names1);
        Assert.Equal(ThrottleLimiterType.TokenBucket, store.Current.Find("b")!.LimiterType);
        Assert.Equal(ThrottleUpdateStatus.Applied, moved.Status);
        Assert.Equal(["c", "a", "b"], names2);
    }

    [Fact]
    public void Upsert_InvalidRuleOrIndexOrName_RefusesWithMessagesAndKeepsRules()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a")]));
        var before = store.Current;

        // Act
        var badRule = store.Upsert("b", TestRules.TokenBucket("b", "b", 0), null, null);
        var badIndex = store.Upsert("b", TestRules.Reject("b", "b"), 5, null);
        var otherName = store.Upsert("b", TestRules.Reject("c", "b"), null, null);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Invalid, badRule.Status);
        Assert.Equal(["limiter.rate must be greater than 0 and at most 1000000 (got 0)."], badRule.Errors);
        Assert.Equal(["index 5 is out of range: with this rule the list holds 2 rules, so use 0 to 1."], badIndex.Errors);
        Assert.Equal(["name \"c\" differs from the rule name in the URL, \"b\": leave it out or make them equal."], otherName.Errors);
        Assert.Same(before, store.Current);
    }

    [Fact]
    public void Remove_ExistingAndUnknown_RemovesOrReportsNotFound()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a"), TestRules.Reject("b", "b")]));

        // Act
        var removed = store.Remove("a", null);
        var unknown = store.Remove("zzz", null);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Applied, removed.Status);
        Assert.Equal(["b"], store.Current.Rules.Select(r => r.Name));
        Assert.Equal(ThrottleUpdateStatus.NotFound, unknown.Status);
        Assert.Equal(2, store.Current.Generation);
    }

    [Fact]
    public void ReplaceAll_StaleGeneration_ReportsConflict()
    {
        // Arrange
        using var store = CreateStore(Options([TestRules.Reject("a", "a")]));

        // Act
        var stale = store.ReplaceAll([TestRules.Reject("b", "b")], expectedGeneration: 7);
        var current = store.ReplaceAll([TestRules.Reject("b", "b")], expectedGeneration: 1);

        // Assert
        Assert.Equal(ThrottleUpdateStatus.Conflict, stale.Status);
        Assert.Equal(["the rules changed since generation was read: they are at generation 1 now; read them again and retry."], stale.Errors);
        Assert.Equal(ThrottleUpdateStatus.Applied, current.Status);
        Assert.Equal(["b"], store.Current.Rules.Select(r => r.Name));
    }

    [Fact]
    public void ReplaceAll_DuplicateNames_RefusedWithJsonPaths()
    {
        // Arrange
        using var store = CreateStore(Options([]));

        // Act
        var update = store.ReplaceAll([TestRules.Reject("a", "a"), TestRules.Reject("a", "b")], null);

        // Assert
        Assert.Equal(["rules[1].name \"a\" is already the name of rules[0]: rule names must be unique."], update.Errors);
        Assert.Empty(store.Current.Rules);
    }

    [Fact]
    public void ReplaceAll_ReplacedConcurrencyRule_HeldLeasesReleaseSafely()
    {
        // Arrange: a request holds a permit of a rule that a change then replaces.
        using var store = CreateStore(Options([TestRules.Concurrency("c", "x", 1)]));
        var lease = store.Current.Find("c")!.Acquire("x");

        // Act
        store.ReplaceAll([TestRules.Concurrency("c", "x", 2)], null);
        lease.Dispose();
        var fresh = store.Current.Find("c")!;

        // Assert: the new rule's limiter starts empty.
        Assert.True(lease.IsAcquired);
        Assert.True(fresh.Acquire("x").IsAcquired);
        Assert.True(fresh.Acquire("x").IsAcquired);
        Assert.False(fresh.Acquire("x").IsAcquired);
    }

    private static IOptions<ApiCacheOptions> Options(IEnumerable<ThrottleRuleOptions> rules)
    {
        var options = new ApiCacheOptions();
        foreach (var rule in rules)
        {
            options.Throttling.Rules.Add(rule);
        }

        return Microsoft.Extensions.Options.Options.Create(options);
    }

    private ThrottleRuleStore CreateStore(IOptions<ApiCacheOptions> options) => new(options, _clock, _metrics.Metrics, _logger);
}
