namespace ApiCache.DevServer.Discovery;

/// <summary>A subresource as discovery lists it, e.g. <c>status</c> with verbs get, patch, update; its kind is the parent's.</summary>
/// <param name="Name">The subresource name, e.g. status.</param>
/// <param name="Verbs">Its verbs, in discovery order.</param>
internal sealed record ServedSubresource(string Name, IReadOnlyList<string> Verbs);
