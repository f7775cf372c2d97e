using System.Buffers;
using System.Globalization;
using System.Text;

namespace ApiCache.Metrics;

/// <summary>Writes the pieces of Prometheus text-format lines as UTF-8 into an <see cref="IBufferWriter{T}"/>.</summary>
internal sealed class PrometheusWriter(IBufferWriter<byte> output)
{
    /// <summary>Longest text of a long ("-9223372036854775808") or a round-trip double ("-1.7976931348623157E+308").</summary>
    private const int MaxNumberBytes = 32;

    /// <summary>Writes UTF-8 bytes as they are.</summary>
    public void Write(ReadOnlySpan<byte> utf8) => output.Write(utf8);

    /// <summary>Writes text as UTF-8.</summary>
    public void Write(string text) => Encoding.UTF8.GetBytes(text.AsSpan(), output);

    /// <summary>Writes an integer.</summary>
    public void Write(long value)
    {
        Span<byte> span = output.GetSpan(MaxNumberBytes);
        value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>Writes a double as Prometheus reads it: shortest round-trip text, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public void Write(double value)
    {
        if (double.IsNaN(value))
        {
            Write("NaN"u8);
        }
        else if (double.IsPositiveInfinity(value))
        {
            Write("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            Write("-Inf"u8);
        }
        else
        {
            Span<byte> span = output.GetSpan(MaxNumberBytes);
            value.TryFormat(span, out int written, "R", CultureInfo.InvariantCulture);
            output.Advance(written);
        }
    }

    /// <summary>
    /// Writes <c>name{labels,extra}</c>, leaving out the braces when both label parts are empty,
    /// then a space: what precedes a sample value.
    /// </summary>
    public void WriteSeriesName(ReadOnlySpan<byte> name, ReadOnlySpan<byte> suffix, ReadOnlySpan<byte> labels, ReadOnlySpan<byte> extraLabel)
    {
        Write(name);
        Write(suffix);
        if (!labels.IsEmpty || !extraLabel.IsEmpty)
        {
            Write("{"u8);
            Write(labels);
            if (!labels.IsEmpty && !extraLabel.IsEmpty)
            {
                Write(","u8);
            }

            Write(extraLabel);
            Write("}"u8);
        }

        Write(" "u8);
    }
}
