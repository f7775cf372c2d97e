namespace ApiCache.Throttling;

/// <summary>Where the rules in force came from; the last change wins whatever its source.</summary>
internal enum ThrottleChangeSource
{
    /// <summary>The configuration (<c>appsettings.json</c> at start-up or reloaded).</summary>
    File,

    /// <summary>The admin endpoint <c>/apicache/v1/throttles</c>.</summary>
    Admin,
}
