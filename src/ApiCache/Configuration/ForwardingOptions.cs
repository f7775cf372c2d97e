namespace ApiCache.Configuration;

/// <summary>How requests that are not answered locally are forwarded to the upstream.</summary>
public sealed class ForwardingOptions
{
    /// <summary>
    /// How long a forwarded request may see no activity (no bytes either way) before it is ended.
    /// Watches and <c>follow=true</c> logs can be silent for a long time, so this is long by default.
    /// </summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long to wait for a TCP/TLS connection to the upstream.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
