using ApiCache.Configuration;

namespace ApiCache.Throttling;

/// <summary>Checks <c>ApiCache:Throttling</c>: the global limits, the admin endpoint's identities, and every rule.</summary>
internal static class ThrottlingValidator
{
    /// <summary>The configuration key of the throttling options.</summary>
    public const string Key = "ApiCache:Throttling";

    /// <summary>The longest <c>Retry-After</c> a rejection may carry.</summary>
    public const int MaxRetryAfterSeconds = 3600;

    /// <summary>The most User-Agent products the metrics may name.</summary>
    public const int MaxTopUserAgents = 1000;

    /// <summary>
    /// Adds a message to <paramref name="failures"/> for each problem in <paramref name="options"/>.
    /// The admin endpoint needs a configured identity only when <paramref name="adminIdentitiesRequired"/>
    /// (the Trusted security mode); otherwise SubjectAccessReviews decide who may use it.
    /// </summary>
    public static void Validate(ThrottlingOptions options, List<string> failures, bool adminIdentitiesRequired = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(failures);
        failures.AddRange(options.BindingErrors);
        if (options.MaxReadsInFlight < 0)
        {
            failures.Add($"{Key}:MaxReadsInFlight must be 0 (no limit) or more (got {options.MaxReadsInFlight}).");
        }

        if (options.MaxMutationsInFlight < 0)
        {
            failures.Add($"{Key}:MaxMutationsInFlight must be 0 (no limit) or more (got {options.MaxMutationsInFlight}).");
        }

        if (options.RetryAfterSeconds is < 1 or > MaxRetryAfterSeconds)
        {
            failures.Add($"{Key}:RetryAfterSeconds must be between 1 and {MaxRetryAfterSeconds} (got {options.RetryAfterSeconds}).");
        }

        if (options.TopUserAgents is < 1 or > MaxTopUserAgents)
        {
            failures.Add($"{Key}:TopUserAgents must be between 1 and {MaxTopUserAgents} (got {options.TopUserAgents}).");
        }

        var admin = options.Admin;
        if (admin is not null && admin.Enabled)
        {
            var names = admin.ClientCertificateCommonNames ?? [];
            if (adminIdentitiesRequired && string.IsNullOrWhiteSpace(admin.BearerTokenFile) && names.Count == 0)
            {
                failures.Add($"{Key}:Admin:Enabled is true but no identity may use it: set {Key}:Admin:BearerTokenFile and/or {Key}:Admin:ClientCertificateCommonNames.");
            }

            for (var i = 0; i < names.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(names[i]))
                {
                    failures.Add($"{Key}:Admin:ClientCertificateCommonNames:{i} is empty.");
                }
            }
        }

        ThrottleRuleValidator.ValidateList(options.Rules?.ToList<ThrottleRuleOptions?>(), OptionPath.Configuration(Key + ":Rules"), failures);
    }
}
