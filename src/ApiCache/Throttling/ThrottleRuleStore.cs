using ApiCache.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Throttling;

/// <summary>
/// The throttling rules and limits in force, and every way to change them: the configuration at
/// start-up and on reload, and the admin endpoint. Readers take <see cref="Current"/> without
/// locking; writers are serialized, validate the whole new list, compile it (reusing the rules whose
/// definition did not change, so their limiter state survives), swap it in atomically, then dispose
/// the limiters of the rules that went away. The last change wins whatever its source; a
/// configuration reload changes the rules only when the file's rules themselves changed, so an edit
/// elsewhere in the file does not undo an admin change. Every change is logged and counted; an
/// invalid one is refused with its messages and the previous rules stay.
/// </summary>
internal sealed class ThrottleRuleStore : IDisposable
{
    private readonly Lock _writeGate = new();
    private readonly TimeProvider _time;
    private readonly ThrottlingMetrics _metrics;
    private readonly ILogger<ThrottleRuleStore> _logger;
    private ThrottleRuleSet _current = ThrottleRuleSet.Empty;
    private ThrottleLimits _limits;
    private string? _fileRules;

    /// <summary>Puts the configured rules (validated with the options) in force as generation 1.</summary>
    public ThrottleRuleStore(IOptions<ApiCacheOptions> options, TimeProvider time, ThrottlingMetrics metrics, ILogger<ThrottleRuleStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var throttling = options.Value.Throttling;
        _limits = LimitsOf(throttling);
        var update = ApplyConfiguration(throttling);
        if (update.Status == ThrottleUpdateStatus.Invalid)
        {
            throw new ApiCacheConfigurationException(string.Join(" ", update.Errors));
        }
    }

    /// <summary>The rules in force.</summary>
    public ThrottleRuleSet Current => Volatile.Read(ref _current);

    /// <summary>The global limits in force.</summary>
    public ThrottleLimits Limits => Volatile.Read(ref _limits);

    /// <summary>
    /// Applies the configuration (start-up or reload): its limits always, its rules when they differ
    /// from the rules the configuration held last time.
    /// </summary>
    public ThrottleUpdate ApplyConfiguration(ThrottlingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_writeGate)
        {
            var limits = LimitsOf(options);
            if (limits != _limits)
            {
                Volatile.Write(ref _limits, limits);
                ThrottlingLog.LimitsChanged(_logger, limits.Enabled, limits.MaxReadsInFlight, limits.MaxMutationsInFlight, limits.RetryAfterSeconds);
            }

            var rules = options.Rules?.ToList<ThrottleRuleOptions?>() ?? [];
            var errors = new List<string>();
            ThrottleRuleValidator.ValidateList(rules, OptionPath.Configuration(ThrottlingValidator.Key + ":Rules"), errors);
            if (errors.Count > 0)
            {
                return Refuse(ThrottleChangeSource.File, errors);
            }

            var fingerprint = string.Join("\n", rules.Select(r => ThrottleJson.Fingerprint(r!)));
            if (fingerprint == _fileRules && _current.Generation > 0)
            {
                return new ThrottleUpdate(ThrottleUpdateStatus.Unchanged, _current, []);
            }

            _fileRules = fingerprint;
            return Swap([.. rules.Select(r => r!)], ThrottleChangeSource.File, ThrottleUpdateStatus.Applied);
        }
    }

    /// <summary>Replaces every rule (admin PUT of the list).</summary>
    public ThrottleUpdate ReplaceAll(IList<ThrottleRuleOptions?> rules, long? expectedGeneration)
    {
        ArgumentNullException.ThrowIfNull(rules);
        lock (_writeGate)
        {
            if (IsStale(expectedGeneration))
            {
                return Conflict();
            }

            var errors = new List<string>();
            ThrottleRuleValidator.ValidateList(rules, OptionPath.JsonPath("rules"), errors);
            return errors.Count > 0
                ? Refuse(ThrottleChangeSource.Admin, errors)
                : Swap([.. rules.Select(r => r!)], ThrottleChangeSource.Admin, ThrottleUpdateStatus.Applied);
        }
    }

    /// <summary>
    /// Adds rule <paramref name="name"/> or replaces it (admin PUT of one rule). A new rule is
    /// appended, a replaced one keeps its place, unless <paramref name="index"/> says where it goes.
    /// </summary>
    public ThrottleUpdate Upsert(string name, ThrottleRuleOptions rule, int? index, long? expectedGeneration)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_writeGate)
        {
            if (IsStale(expectedGeneration))
            {
                return Conflict();
            }

            var errors = new List<string>();
            if (rule.Name is null)
            {
                rule.Name = name;
            }
            else if (rule.Name != name)
            {
                errors.Add($"name \"{rule.Name}\" differs from the rule name in the URL, \"{name}\": leave it out or make them equal.");
            }

            ThrottleRuleValidator.Validate(rule, OptionPath.JsonPath(""), errors);
            var rules = _current.Rules.Select(r => r.Definition).ToList();
            var existing = rules.FindIndex(r => r.Name == name);
            if (existing >= 0)
            {
                rules.RemoveAt(existing);
            }

            var position = index ?? (existing >= 0 ? existing : rules.Count);
            if (position < 0 || position > rules.Count)
            {
                errors.Add($"index {position} is out of range: with this rule the list holds {rules.Count + 1} rules, so use 0 to {rules.Count}.");
            }
            else if (rules.Count + 1 > ThrottleRuleValidator.MaxRules)
            {
                errors.Add($"the rule list is full: at most {ThrottleRuleValidator.MaxRules} rules are allowed.");
            }

            if (errors.Count > 0)
            {
                return Refuse(ThrottleChangeSource.Admin, errors);
            }

            rules.Insert(position, rule);
            return Swap(rules, ThrottleChangeSource.Admin, existing >= 0 ? ThrottleUpdateStatus.Applied : ThrottleUpdateStatus.Created);
        }
    }

    /// <summary>Removes rule <paramref name="name"/> (admin DELETE of one rule).</summary>
    public ThrottleUpdate Remove(string name, long? expectedGeneration)
    {
        lock (_writeGate)
        {
            if (IsStale(expectedGeneration))
            {
                return Conflict();
            }

            if (_current.Find(name) is null)
            {
                return new ThrottleUpdate(ThrottleUpdateStatus.NotFound, _current, []);
            }

            return Swap([.. _current.Rules.Where(r => r.Name != name).Select(r => r.Definition)], ThrottleChangeSource.Admin, ThrottleUpdateStatus.Applied);
        }
    }

    /// <summary>Disposes the limiters of the rules in force.</summary>
    public void Dispose()
    {
        lock (_writeGate)
        {
            foreach (var rule in _current.Rules)
            {
                rule.Dispose();
            }

            Volatile.Write(ref _current, ThrottleRuleSet.Empty);
        }
    }

    private static ThrottleLimits LimitsOf(ThrottlingOptions options) =>
        new(options.Enabled, options.MaxReadsInFlight, options.MaxMutationsInFlight, options.RetryAfterSeconds);

    private bool IsStale(long? expectedGeneration) => expectedGeneration is { } expected && expected != _current.Generation;

    private ThrottleUpdate Conflict() =>
        new(ThrottleUpdateStatus.Conflict, _current, [$"the rules changed since generation was read: they are at generation {_current.Generation} now; read them again and retry."]);

    private ThrottleUpdate Refuse(ThrottleChangeSource source, List<string> errors)
    {
        _metrics.RuleChangeRejected(source);
        ThrottlingLog.ChangeRefused(_logger, ThrottlingMetrics.SourceLabel(source), _current.Generation, string.Join(" ", errors));
        return new ThrottleUpdate(ThrottleUpdateStatus.Invalid, _current, errors);
    }

    /// <summary>Compiles <paramref name="definitions"/> (validated) into the next rule set and puts it in force (caller holds the write lock).</summary>
    private ThrottleUpdate Swap(List<ThrottleRuleOptions> definitions, ThrottleChangeSource source, ThrottleUpdateStatus status)
    {
        var previous = _current;
        var reusable = previous.Rules.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var rules = new List<ThrottleRule>(definitions.Count);
        var added = new List<string>();
        var changed = new List<string>();
        foreach (var definition in definitions)
        {
            var fingerprint = ThrottleJson.Fingerprint(definition);
            if (reusable.TryGetValue(definition.Name!, out var old) && old.Fingerprint == fingerprint)
            {
                rules.Add(old);
                reusable.Remove(old.Name);
                continue;
            }

            (old is null ? added : changed).Add(definition.Name!);
            rules.Add(new ThrottleRule(definition, _time));
        }

        var next = new ThrottleRuleSet(rules, previous.Generation + 1, source);
        Volatile.Write(ref _current, next);

        // The rules not carried over: replaced (changed) ones and removed ones.
        var removed = reusable.Keys.Where(n => !changed.Contains(n)).ToList();
        foreach (var rule in reusable.Values)
        {
            rule.Dispose();
        }

        _metrics.RuleChanged(source);
        var names = rules.ConvertAll(r => r.Name);
        var sourceLabel = ThrottlingMetrics.SourceLabel(source);
        ThrottlingLog.RulesChanged(_logger, sourceLabel, next.Generation, rules.Count, names, added, changed, removed);
        return new ThrottleUpdate(status, next, []);
    }
}
