using System.Diagnostics;
using System.Diagnostics.Metrics;
using ApiCache.Metrics;

namespace ApiCache.Throttling;

/// <summary>
/// Throttling's instruments on the ApiCache meter. Label values are bounded: <c>user_agent</c> is one
/// of the top User-Agent products of the last minute or <c>other</c>/<c>unknown</c>, <c>rule</c> a
/// configured rule name (at most <see cref="ThrottleRuleValidator.MaxRules"/>) or empty, <c>verb</c>
/// a known verb or <c>other</c>.
/// </summary>
internal sealed class ThrottlingMetrics
{
    private static readonly string[] DecisionLabels = ["allowed", "rejected", "rejected_inflight"];
    private static readonly string[] SourceLabels = ["file", "admin"];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _ruleChanges;
    private readonly Counter<long> _invalidRuleChanges;
    private Func<ThrottleRuleSet>? _rules;
    private InflightCounters? _inflight;

    public ThrottlingMetrics(ApiCacheMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        _requests = meter.CreateCounter<long>(
            "apicache_throttle_requests",
            description: "Requests seen by throttling, by User-Agent product (top ones of the last minute, else other), matching rule (empty: none), verb and decision (allowed, rejected by the rule, rejected_inflight by the global in-flight limit).");
        _ruleChanges = meter.CreateCounter<long>(
            "apicache_throttle_rule_changes",
            description: "Changes of the throttling rules put in force, by source (file: configuration reload; admin: the admin endpoint).");
        _invalidRuleChanges = meter.CreateCounter<long>(
            "apicache_throttle_rule_changes_rejected",
            description: "Changes of the throttling rules refused as invalid (the previous rules stayed in force), by source.");
        meter.CreateObservableGauge(
            "apicache_inflight_requests",
            ObserveInflight,
            description: "Requests in flight through ApiCache by kind: read and mutation (limited by MaxReadsInFlight / MaxMutationsInFlight) and long_running (watch, logs, exec...: counted, never limited).");
        meter.CreateObservableGauge(
            "apicache_throttle_rules",
            () => _rules?.Invoke().Rules.Count ?? 0,
            description: "Throttling rules in force.");
        meter.CreateObservableGauge(
            "apicache_throttle_rules_generation",
            () => _rules?.Invoke().Generation ?? 0,
            description: "Counts the rule changes since start-up: 1 for the rules read at start, one more per change.");
    }

    /// <summary>Lets the gauges read the rule set in force and the in-flight counters.</summary>
    public void Observe(Func<ThrottleRuleSet> rules, InflightCounters inflight)
    {
        _rules = rules;
        _inflight = inflight;
    }

    /// <summary>Counts one request's throttling decision.</summary>
    public void Request(string userAgentLabel, string rule, string verb, ThrottleDecision decision)
    {
        if (!_requests.Enabled)
        {
            return;
        }

        _requests.Add(
            1,
            new TagList
            {
                { "user_agent", userAgentLabel },
                { "rule", rule },
                { "verb", verb },
                { "decision", DecisionLabels[(int)decision] },
            });
    }

    /// <summary>Counts a change put in force.</summary>
    public void RuleChanged(ThrottleChangeSource source) => _ruleChanges.Add(1, new KeyValuePair<string, object?>("source", SourceLabels[(int)source]));

    /// <summary>Counts a change refused as invalid.</summary>
    public void RuleChangeRejected(ThrottleChangeSource source) => _invalidRuleChanges.Add(1, new KeyValuePair<string, object?>("source", SourceLabels[(int)source]));

    /// <summary>The label of <paramref name="source"/>, as the admin endpoint also shows it.</summary>
    public static string SourceLabel(ThrottleChangeSource source) => SourceLabels[(int)source];

    private IEnumerable<Measurement<int>> ObserveInflight()
    {
        var inflight = _inflight;
        if (inflight is null)
        {
            yield break;
        }

        yield return new Measurement<int>(inflight.Reads, new KeyValuePair<string, object?>("kind", "read"));
        yield return new Measurement<int>(inflight.Mutations, new KeyValuePair<string, object?>("kind", "mutation"));
        yield return new Measurement<int>(inflight.LongRunning, new KeyValuePair<string, object?>("kind", "long_running"));
    }
}
