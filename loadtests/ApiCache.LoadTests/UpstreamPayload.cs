namespace ApiCache.LoadTests;

/// <summary>The answer the upstream gives: the recorded 12-pod list from shared/fixtures.</summary>
internal static class UpstreamPayload
{
    public static byte[] Load(string repository)
    {
        var path = Path.Combine(repository, "..", "shared", "fixtures", "02-list-pods-all.response.txt");
        var raw = File.ReadAllBytes(path);
        var separator = "\r\n\r\n"u8;
        var index = raw.AsSpan().IndexOf(separator);
        return raw[(index + separator.Length)..];
    }
}
