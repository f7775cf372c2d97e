namespace ApiCache.Selectors;

/// <summary>
/// Label key and value syntax with the apiserver's detail messages (apimachinery
/// <c>validation.IsQualifiedName</c>, <c>IsValidLabelValue</c>, <c>IsDNS1123Subdomain</c>): a key is an
/// optional DNS-1123 subdomain prefix and '/' and a name of at most 63 bytes of <c>[A-Za-z0-9]</c> with
/// <c>-_.</c> inside; a value is empty or such a name. Each method returns the detail strings
/// (empty when valid), which callers join with "; " into a field error.
/// </summary>
/// <remarks>
/// The wording is apimachinery's up to v0.34 ("a qualified name", "must be no more than 63 characters",
/// as kubectl 1.33 carries it); v0.35 moved these checks to <c>api/validate/content</c> and says
/// "a valid label key" and "bytes" instead.
/// </remarks>
internal static class LabelValidation
{
    /// <summary>The longest label name part and label value, in bytes.</summary>
    public const int MaxNameLength = 63;

    /// <summary>The longest DNS-1123 subdomain (the key prefix), in bytes.</summary>
    public const int MaxPrefixLength = 253;

    private const string NameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string NameRegex = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

    private const string ValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string ValueRegex = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    private const string SubdomainRegex = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    /// <summary>True when <paramref name="key"/> is a valid label key.</summary>
    public static bool IsValidKey(string key) => KeyErrors(key).Count == 0;

    /// <summary>True when <paramref name="value"/> is a valid label value.</summary>
    public static bool IsValidValue(string value) =>
        value.Length == 0 || (value.Length <= MaxNameLength && IsName(value));

    /// <summary>The problems with a label key (a "qualified name"), in the apiserver's words and order.</summary>
    public static IReadOnlyList<string> KeyErrors(string key)
    {
        var errors = new List<string>();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = key;
        if (slash >= 0)
        {
            if (key.IndexOf('/', slash + 1) >= 0)
            {
                errors.Add("a qualified name " + RegexError(NameMessage, NameRegex, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
            }

            var prefix = key[..slash];
            name = key[(slash + 1)..];
            if (prefix.Length == 0)
            {
                errors.Add("prefix part must be non-empty");
            }
            else
            {
                foreach (var error in SubdomainErrors(prefix))
                {
                    errors.Add("prefix part " + error);
                }
            }
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (GoText.Utf8Length(name) > MaxNameLength)
        {
            errors.Add("name part " + MaxLengthError(MaxNameLength));
        }

        if (!IsName(name))
        {
            errors.Add("name part " + RegexError(NameMessage, NameRegex, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>The problems with a label value, in the apiserver's words and order.</summary>
    public static IReadOnlyList<string> ValueErrors(string value)
    {
        var errors = new List<string>();
        if (GoText.Utf8Length(value) > MaxNameLength)
        {
            errors.Add(MaxLengthError(MaxNameLength));
        }

        if (value.Length != 0 && !IsName(value))
        {
            errors.Add(RegexError(ValueMessage, ValueRegex, "MyValue", "my_value", "12345"));
        }

        return errors;
    }

    /// <summary>The problems with a lowercase RFC 1123 subdomain, in the apiserver's words and order.</summary>
    public static IReadOnlyList<string> SubdomainErrors(string value)
    {
        var errors = new List<string>();
        if (GoText.Utf8Length(value) > MaxPrefixLength)
        {
            errors.Add(MaxLengthError(MaxPrefixLength));
        }

        if (!IsSubdomain(value))
        {
            errors.Add(RegexError(SubdomainMessage, SubdomainRegex, "example.com"));
        }

        return errors;
    }

    /// <summary>Go's <c>validation.MaxLenError</c>.</summary>
    private static string MaxLengthError(int length) => $"must be no more than {length} characters";

    /// <summary>Go's <c>validation.RegexError</c>, double spaces before "or" included.</summary>
    private static string RegexError(string message, string regex, params string[] examples)
    {
        var text = message + " (e.g. ";
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                text += " or ";
            }

            text += "'" + examples[i] + "', ";
        }

        return text + "regex used for validation is '" + regex + "')";
    }

    /// <summary><c>([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]</c>, anchored.</summary>
    private static bool IsName(string value)
    {
        if (value.Length == 0 || !char.IsAsciiLetterOrDigit(value[0]) || !char.IsAsciiLetterOrDigit(value[^1]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One or more dot-separated lowercase RFC 1123 labels, anchored.</summary>
    private static bool IsSubdomain(string value)
    {
        var start = 0;
        while (true)
        {
            var dot = value.IndexOf('.', start);
            var end = dot < 0 ? value.Length : dot;
            if (!IsDns1123Label(value.AsSpan(start, end - start)))
            {
                return false;
            }

            if (dot < 0)
            {
                return true;
            }

            start = dot + 1;
        }
    }

    /// <summary><c>[a-z0-9]([-a-z0-9]*[a-z0-9])?</c>, anchored.</summary>
    private static bool IsDns1123Label(ReadOnlySpan<char> label)
    {
        if (label.Length == 0 || !IsLowerAlphanumeric(label[0]) || !IsLowerAlphanumeric(label[^1]))
        {
            return false;
        }

        foreach (var c in label)
        {
            if (!IsLowerAlphanumeric(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
