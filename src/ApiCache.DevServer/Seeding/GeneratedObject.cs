namespace ApiCache.DevServer.Seeding;

/// <summary>One generated object: where it goes and its stored JSON.</summary>
/// <param name="Namespace">The object's namespace; null for cluster-scoped objects.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Value">The object's JSON (UTF-8, compact, without resourceVersion).</param>
internal readonly record struct GeneratedObject(string? Namespace, string Name, byte[] Value);
