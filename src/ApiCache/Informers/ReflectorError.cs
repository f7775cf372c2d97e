namespace ApiCache.Informers;

/// <summary>The last failure a <see cref="Reflector"/> saw: one line of text and when it happened.</summary>
/// <param name="Message">What failed, e.g. <c>watch of pods answered 503 ServiceUnavailable: ...</c>.</param>
/// <param name="Time">When (from the reflector's <see cref="TimeProvider"/>).</param>
internal sealed record ReflectorError(string Message, DateTimeOffset Time);
