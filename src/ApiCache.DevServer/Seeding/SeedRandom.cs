namespace ApiCache.DevServer.Seeding;

/// <summary>
/// A small deterministic random generator (SplitMix64) positioned by (seed, stream, index):
/// every object draws from its own sequence, so the output does not depend on generation order,
/// on the .NET version (unlike <see cref="Random"/>'s algorithm) or on the other counts.
/// Not thread-safe; one instance is reused by <see cref="Reset"/>.
/// </summary>
internal sealed class SeedRandom
{
    /// <summary>The characters Kubernetes uses for generated name suffixes (no vowels, no look-alikes).</summary>
    public static ReadOnlySpan<byte> NameAlphabet => "bcdfghjklmnpqrstvwxz2456789"u8;

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    private ulong _state;

    /// <summary>Positions the generator at the start of the sequence of (seed, stream, index, subIndex).</summary>
    public void Reset(int seed, SeedStream stream, long index, long subIndex = 0)
    {
        var h = Mix((ulong)(uint)seed + 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ ((ulong)stream * 0xD1B54A32D192ED03UL));
        h = Mix(h ^ ((ulong)index * 0x8CB92BA72F3D8DD7UL));
        _state = Mix(h ^ ((ulong)subIndex * 0xABC98388FB8FAC03UL));
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A number in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)(uint)maxExclusive) >> 32);

    /// <summary>True with probability <paramref name="percent"/> / 100.</summary>
    public bool Percent(int percent) => Next(100) < percent;

    /// <summary>Writes a random version-4 UUID (36 characters) into <paramref name="destination"/>.</summary>
    public void FillUid(Span<byte> destination)
    {
        var high = (NextUInt64() & 0xFFFFFFFFFFFF0FFFUL) | 0x4000UL;            // version 4
        var low = (NextUInt64() & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL; // RFC 4122 variant
        WriteHex(high >> 32, destination[..8]);
        destination[8] = (byte)'-';
        WriteHex((high >> 16) & 0xFFFF, destination.Slice(9, 4));
        destination[13] = (byte)'-';
        WriteHex(high & 0xFFFF, destination.Slice(14, 4));
        destination[18] = (byte)'-';
        WriteHex(low >> 48, destination.Slice(19, 4));
        destination[23] = (byte)'-';
        WriteHex(low & 0xFFFFFFFFFFFFUL, destination.Slice(24, 12));
    }

    /// <summary>Fills <paramref name="destination"/> with random lower-case hex digits.</summary>
    public void FillHex(Span<byte> destination)
    {
        for (var offset = 0; offset < destination.Length; offset += 16)
        {
            var chunk = destination[offset..Math.Min(destination.Length, offset + 16)];
            WriteHex(NextUInt64() >> (64 - (4 * chunk.Length)), chunk);
        }
    }

    /// <summary>Fills <paramref name="destination"/> with random characters of <see cref="NameAlphabet"/>.</summary>
    public void FillName(Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = NameAlphabet[Next(NameAlphabet.Length)];
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> in base <see cref="NameAlphabet"/> (most significant first,
    /// zero-padded), so distinct values below 27^length give distinct names.
    /// </summary>
    public static void WriteName(ulong value, Span<byte> destination)
    {
        var radix = (ulong)NameAlphabet.Length;
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = NameAlphabet[(int)(value % radix)];
            value /= radix;
        }
    }

    /// <summary>Writes the low 4 × length bits of <paramref name="value"/> as lower-case hex.</summary>
    private static void WriteHex(ulong value, Span<byte> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = HexDigits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>SplitMix64's finalizer: a bijective mix of all 64 bits.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
