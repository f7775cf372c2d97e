using ApiCache.DevServer.Resources;
using Microsoft.AspNetCore.Http;

namespace ApiCache.DevServer.Api;

/// <summary>A request for a served resource, resolved from its path.</summary>
/// <param name="Context">The HTTP exchange.</param>
/// <param name="Resource">The resource addressed.</param>
/// <param name="Verb">get, list, watch, create, update, patch, delete, deletecollection.</param>
/// <param name="Namespace">The namespace from the path; empty for cluster scope or all namespaces.</param>
/// <param name="Name">The object name from the path; empty for collections.</param>
/// <param name="Subresource">The subresource (status) or empty.</param>
internal sealed record ResourceRequest(HttpContext Context, ResourceDefinition Resource, string Verb, string Namespace, string Name, string Subresource)
{
    /// <summary>The request's cancellation (client gone or server stopping).</summary>
    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary>The namespace or null (for key building).</summary>
    public string? NamespaceOrNull => Namespace.Length == 0 ? null : Namespace;

    /// <summary>The key of the addressed object.</summary>
    public string Key => Resource.KeyFor(NamespaceOrNull, Name);

    /// <summary>The key prefix of the addressed collection.</summary>
    public string CollectionPrefix => Resource.CollectionPrefix(NamespaceOrNull);
}
