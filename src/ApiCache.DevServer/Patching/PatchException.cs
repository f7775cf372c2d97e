using ApiCache.Serving;

namespace ApiCache.DevServer.Patching;

/// <summary>
/// A patch could not be applied; <see cref="Status"/> is what the apiserver answers in that case (code,
/// reason, message, details), ready for <see cref="StatusWriter"/>.
/// </summary>
internal sealed class PatchException : Exception
{
    /// <summary>Creates the exception for <paramref name="status"/>.</summary>
    /// <param name="status">The Status to answer.</param>
    /// <param name="detail">
    /// The underlying error when the answer hides it (the apiserver answers a failed JSON Patch
    /// operation with a generic 422); for logs and tests.
    /// </param>
    public PatchException(StatusError status, string? detail = null)
        : base(detail is null ? status.Message : status.Message + " (" + detail + ")")
    {
        Status = status;
        Detail = detail;
    }

    /// <summary>The Status to answer.</summary>
    public StatusError Status { get; }

    /// <summary>The error behind a generic answer, e.g. "testing value /a failed: test failed"; null when the message says it all.</summary>
    public string? Detail { get; }
}
