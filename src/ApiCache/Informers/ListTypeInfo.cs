namespace ApiCache.Informers;

/// <summary>What a LIST response says about the resource's type, learned by the reflector.</summary>
/// <param name="ListKind">The list's <c>kind</c>, e.g. <c>PodList</c>.</param>
/// <param name="ApiVersion">The list's <c>apiVersion</c>, e.g. <c>v1</c> or <c>example.com/v1</c>.</param>
/// <param name="ItemsCarryTypeMeta">
/// Whether list items carry <c>kind</c>/<c>apiVersion</c> (custom resources do, built-in kinds do not);
/// null when the list was empty and nothing told.
/// </param>
internal sealed record ListTypeInfo(string ListKind, string ApiVersion, bool? ItemsCarryTypeMeta)
{
    /// <summary>The kind of one item: the list kind without its <c>List</c> suffix.</summary>
    public string Kind => ListKind.EndsWith("List", StringComparison.Ordinal) ? ListKind[..^4] : ListKind;
}
