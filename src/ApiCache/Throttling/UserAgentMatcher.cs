using System.Text.RegularExpressions;
using ApiCache.Configuration;

namespace ApiCache.Throttling;

/// <summary>A rule's compiled User-Agent condition (validated <see cref="UserAgentMatchOptions"/>), applied to product tokens.</summary>
internal sealed class UserAgentMatcher
{
    private readonly string? _product;
    private readonly string? _prefix;
    private readonly Regex? _regex;

    /// <summary>Compiles <paramref name="options"/>, which <see cref="ThrottleRuleValidator"/> accepted.</summary>
    public UserAgentMatcher(UserAgentMatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _product = options.Product;
        _prefix = options.ProductPrefix;
        _regex = options.Regex is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant, ThrottleRuleValidator.RegexTimeout) : null;
        Description = _product is not null ? $"product \"{_product}\""
            : _prefix is not null ? $"product prefix \"{_prefix}\""
            : $"product regex \"{options.Regex}\"";
    }

    /// <summary>What the condition is, for logs.</summary>
    public string Description { get; }

    /// <summary>
    /// Whether <paramref name="product"/> matches. Products and prefixes compare ignoring case; a
    /// regular expression that runs out of time counts as no match (the request is not throttled
    /// by this rule rather than held up).
    /// </summary>
    public bool IsMatch(string product)
    {
        if (_product is not null)
        {
            return string.Equals(product, _product, StringComparison.OrdinalIgnoreCase);
        }

        if (_prefix is not null)
        {
            return product.StartsWith(_prefix, StringComparison.OrdinalIgnoreCase);
        }

        try
        {
            return _regex!.IsMatch(product);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}
