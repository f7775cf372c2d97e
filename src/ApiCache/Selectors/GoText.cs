using System.Globalization;
using System.Text;

namespace ApiCache.Selectors;

/// <summary>
/// The few Go string behaviours the apiserver's selector messages and orderings depend on:
/// <c>%q</c> quoting, byte-wise (UTF-8) ordering as <c>sort.Strings</c> does it, <c>len()</c> in
/// bytes, and <c>strconv.ParseInt(s, 10, 64)</c>.
/// </summary>
internal static class GoText
{
    /// <summary>Orders strings as Go's <c>sort.Strings</c> does: by UTF-8 bytes, i.e. by code point.</summary>
    public static IComparer<string> Utf8Order { get; } = Comparer<string>.Create(CompareUtf8);

    /// <summary>
    /// Compares two strings by their UTF-8 bytes. UTF-16 ordinal order differs from code point order
    /// only where a surrogate (a code point above U+FFFF) meets a char in U+E000..U+FFFF.
    /// </summary>
    public static int CompareUtf8(string? a, string? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null)
        {
            return -1;
        }

        if (b is null)
        {
            return 1;
        }

        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x != y)
            {
                return CodePointRank(x) - CodePointRank(y);
            }
        }

        return a.Length - b.Length;
    }

    /// <summary>The length of <paramref name="value"/> in UTF-8 bytes (Go's <c>len</c> of a string).</summary>
    public static int Utf8Length(string value) => Encoding.UTF8.GetByteCount(value);

    /// <summary>Go's <c>strconv.ParseInt(value, 10, 64)</c>: an optional sign, then decimal digits, within int64.</summary>
    public static bool TryParseInt64(string value, out long result)
    {
        result = 0;
        if (value.Length == 0)
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (value[0] is '+' or '-')
        {
            negative = value[0] == '-';
            i = 1;
            if (value.Length == 1)
            {
                return false;
            }
        }

        // Accumulate negatively so that long.MinValue parses without overflow.
        long accumulated = 0;
        for (; i < value.Length; i++)
        {
            var digit = value[i] - '0';
            if (digit is < 0 or > 9)
            {
                return false;
            }

            if (accumulated < (long.MinValue + digit) / 10)
            {
                return false;
            }

            accumulated = (accumulated * 10) - digit;
        }

        if (!negative)
        {
            if (accumulated == long.MinValue)
            {
                return false;
            }

            accumulated = -accumulated;
        }

        result = accumulated;
        return true;
    }

    /// <summary>
    /// Go's <c>strconv.Quote</c> (what <c>%q</c> prints): double quotes, <c>\"</c> and <c>\\</c>,
    /// the short escapes for control characters, <c>\xHH</c>/<c>\uHHHH</c>/<c>\UHHHHHHHH</c> for other
    /// non-printable code points; printable Unicode is kept as is.
    /// </summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            int codePoint = value[i];
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                codePoint = char.ConvertToUtf32(value[i], value[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                // A lone surrogate becomes U+FFFD when encoded as UTF-8, which Go prints as is.
                builder.Append('\uFFFD');
                continue;
            }

            AppendQuoted(builder, codePoint);
        }

        builder.Append('"');
        return builder.ToString();
    }

    private static void AppendQuoted(StringBuilder builder, int codePoint)
    {
        switch (codePoint)
        {
            case '"':
                builder.Append("\\\"");
                return;
            case '\\':
                builder.Append("\\\\");
                return;
            case '\a':
                builder.Append("\\a");
                return;
            case '\b':
                builder.Append("\\b");
                return;
            case '\f':
                builder.Append("\\f");
                return;
            case '\n':
                builder.Append("\\n");
                return;
            case '\r':
                builder.Append("\\r");
                return;
            case '\t':
                builder.Append("\\t");
                return;
            case '\v':
                builder.Append("\\v");
                return;
        }

        if (IsPrint(codePoint))
        {
            builder.Append(char.ConvertFromUtf32(codePoint));
        }
        else if (codePoint < 0x80)
        {
            builder.Append("\\x").Append(codePoint.ToString("x2", CultureInfo.InvariantCulture));
        }
        else if (codePoint < 0x10000)
        {
            builder.Append("\\u").Append(codePoint.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            builder.Append("\\U").Append(codePoint.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Go's <c>unicode.IsPrint</c>: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(int codePoint)
    {
        if (codePoint == ' ')
        {
            return true;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        return category switch
        {
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
            _ => true,
        };
    }

    /// <summary>A rank of one UTF-16 char that orders surrogates after U+E000..U+FFFF, as code points do.</summary>
    private static int CodePointRank(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
