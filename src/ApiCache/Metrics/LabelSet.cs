using System.Globalization;

namespace ApiCache.Metrics;

/// <summary>
/// Renders a measurement's tags as the body of a Prometheus label set, <c>a="x",b="y"</c>: sorted by
/// tag key (ordinal), names sanitized, values escaped. The rendered text is also the series key, so a
/// measurement for an existing series is looked up by span without allocating a string.
/// </summary>
internal static class LabelSet
{
    /// <summary>Tag counts up to this sort their indexes on the stack.</summary>
    private const int MaxStackTags = 16;

    /// <summary>Scratch space for formatting one non-string tag value.</summary>
    private const int MaxStackValueChars = 64;

    /// <summary>Writes the label set body for <paramref name="tags"/> (empty for no tags).</summary>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is too small; retry with a larger one.</returns>
    public static bool TryFormat(ReadOnlySpan<KeyValuePair<string, object?>> tags, Span<char> destination, out int written)
    {
        written = 0;
        if (tags.IsEmpty)
        {
            return true;
        }

        Span<int> order = tags.Length <= MaxStackTags ? stackalloc int[tags.Length] : new int[tags.Length];
        SortByKey(tags, order);

        int position = 0;
        for (int i = 0; i < order.Length; i++)
        {
            KeyValuePair<string, object?> tag = tags[order[i]];
            if (i > 0)
            {
                if (position == destination.Length)
                {
                    return false;
                }

                destination[position++] = ',';
            }

            if (!PrometheusText.TryWriteLabelName(tag.Key, destination[position..], out int nameLength))
            {
                return false;
            }

            position += nameLength;
            if (destination.Length - position < 2)
            {
                return false;
            }

            destination[position++] = '=';
            destination[position++] = '"';
            if (!TryWriteValue(tag.Value, destination[position..], out int valueLength))
            {
                return false;
            }

            position += valueLength;
            if (position == destination.Length)
            {
                return false;
            }

            destination[position++] = '"';
        }

        written = position;
        return true;
    }

    /// <summary>Insertion sort of tag indexes by key: tag lists are short.</summary>
    private static void SortByKey(ReadOnlySpan<KeyValuePair<string, object?>> tags, Span<int> order)
    {
        for (int i = 0; i < order.Length; i++)
        {
            int current = i;
            int j = i - 1;
            while (j >= 0 && string.CompareOrdinal(tags[order[j]].Key, tags[current].Key) > 0)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }
    }

    /// <summary>
    /// Writes a tag value as <c>ToString(CultureInfo.InvariantCulture)</c> would, escaped; null is empty.
    /// Strings and <see cref="ISpanFormattable"/> values (numbers, enums) are written without allocating.
    /// </summary>
    private static bool TryWriteValue(object? value, Span<char> destination, out int written)
    {
        switch (value)
        {
            case null:
                written = 0;
                return true;
            case string text:
                return PrometheusText.TryWriteEscapedLabelValue(text, destination, out written);
            case ISpanFormattable formattable:
                Span<char> scratch = stackalloc char[MaxStackValueChars];
                return formattable.TryFormat(scratch, out int length, default, CultureInfo.InvariantCulture)
                    ? PrometheusText.TryWriteEscapedLabelValue(scratch[..length], destination, out written)
                    : PrometheusText.TryWriteEscapedLabelValue(formattable.ToString(null, CultureInfo.InvariantCulture), destination, out written);
            case IFormattable formattable:
                return PrometheusText.TryWriteEscapedLabelValue(formattable.ToString(null, CultureInfo.InvariantCulture), destination, out written);
            default:
                return PrometheusText.TryWriteEscapedLabelValue(value.ToString(), destination, out written);
        }
    }
}
