using System.Text.Json;

namespace ApiCache.Informers;

/// <summary>Small steps shared by the readers of upstream JSON (list pages, Status bodies).</summary>
internal static class JsonValueReader
{
    /// <summary>Positioned on a property name: reads its value as a string, or skips it and returns null when it is not one.</summary>
    public static string? ReadStringOrSkip(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }
}
