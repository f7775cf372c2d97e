using System.Text;

namespace ApiCache.Metrics;

/// <summary>
/// Name sanitizing and escaping rules of the Prometheus text format, version 0.0.4.
/// The span-based methods run on the measurement path and do not allocate.
/// </summary>
internal static class PrometheusText
{
    /// <summary>
    /// Maps an instrument name onto <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>: other characters become
    /// <c>_</c>, and a leading digit is prefixed with <c>_</c>.
    /// </summary>
    public static string SanitizeMetricName(string name)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var builder = new StringBuilder(name.Length + 1);
        if (char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>
    /// Writes a tag key as a label name, <c>[a-zA-Z_][a-zA-Z0-9_]*</c> (colons are not allowed in
    /// label names): other characters become <c>_</c>, and a leading digit is prefixed with <c>_</c>.
    /// </summary>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public static bool TryWriteLabelName(ReadOnlySpan<char> name, Span<char> destination, out int written)
    {
        written = 0;
        if (name.IsEmpty || char.IsAsciiDigit(name[0]))
        {
            if (destination.IsEmpty)
            {
                return false;
            }

            destination[written++] = '_';
        }

        if (destination.Length - written < name.Length)
        {
            return false;
        }

        foreach (char c in name)
        {
            destination[written++] = char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_';
        }

        return true;
    }

    /// <summary>Writes a label value with backslash, double quote and newline escaped.</summary>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small.</returns>
    public static bool TryWriteEscapedLabelValue(ReadOnlySpan<char> value, Span<char> destination, out int written)
    {
        written = 0;
        foreach (char c in value)
        {
            string? escaped = c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                _ => null,
            };
            if (escaped is null)
            {
                if (written == destination.Length)
                {
                    return false;
                }

                destination[written++] = c;
            }
            else
            {
                if (destination.Length - written < 2)
                {
                    return false;
                }

                destination[written++] = escaped[0];
                destination[written++] = escaped[1];
            }
        }

        return true;
    }

    /// <summary>Escapes a label value (backslash, double quote, newline) into a new string.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Escapes HELP text: backslash and newline.</summary>
    public static string EscapeHelp(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
