using System.Text;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>Where two byte strings first differ, and readable excerpts of both around that byte.</summary>
internal static class ByteExcerpt
{
    private const int Before = 100;
    private const int After = 140;

    /// <summary>The index of the first differing byte; -1 when equal (a proper prefix differs at its length).</summary>
    public static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var common = a.CommonPrefixLength(b);
        return common == a.Length && common == b.Length ? -1 : common;
    }

    /// <summary>The bytes around <paramref name="index"/>, control characters escaped, with the differing byte marked by ⟦⟧.</summary>
    public static string Around(ReadOnlySpan<byte> bytes, int index)
    {
        var from = Math.Max(0, index - Before);
        var to = Math.Min(bytes.Length, index + After);
        var text = new StringBuilder();
        text.Append(from > 0 ? "…" : "").Append(Printable(bytes[from..Math.Min(index, bytes.Length)]));
        if (index < bytes.Length)
        {
            text.Append('⟦').Append(Printable(bytes.Slice(index, 1))).Append('⟧').Append(Printable(bytes[(index + 1)..to]));
        }
        else
        {
            text.Append("⟦end of body⟧");
        }

        return text.Append(to < bytes.Length ? "…" : "").ToString();
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var c in Encoding.UTF8.GetString(bytes))
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }
}
