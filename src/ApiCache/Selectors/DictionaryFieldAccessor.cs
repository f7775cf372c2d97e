namespace ApiCache.Selectors;

/// <summary>An <see cref="IFieldAccessor"/> over a dictionary of field values; missing fields read as "".</summary>
internal readonly struct DictionaryFieldAccessor(IReadOnlyDictionary<string, string>? fields) : IFieldAccessor
{
    /// <inheritdoc />
    public string GetFieldValue(string field) =>
        fields is not null && fields.TryGetValue(field, out var value) ? value : "";
}
