namespace ApiCache.Sidecar;

/// <summary>The sidecar's log format (one line per entry, UTC timestamps), shared by its own host and the built-in dev server.</summary>
internal static class SidecarLogging
{
    /// <summary>Adds the single-line console logger.</summary>
    public static void Configure(ILoggingBuilder logging) =>
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            console.UseUtcTimestamp = true;
        });
}
