namespace ApiCache.Configuration;

/// <summary>
/// How callers are authenticated (the <c>ApiCache:Security:Authentication</c> section), as the
/// apiserver does it: a client certificate that chains to <see cref="ClientCaFile"/> (user = CN,
/// groups = O), or a bearer token checked with a TokenReview against the upstream; requests with
/// neither are anonymous, which is refused with 401 unless <see cref="Anonymous"/> is on.
/// </summary>
public sealed class CallerAuthenticationOptions
{
    /// <summary>PEM bundle of the CAs client certificates must chain to (like <c>--client-ca-file</c>); re-read when it changes. No file: client certificates are not accepted.</summary>
    public string? ClientCaFile { get; set; }

    /// <summary>Check bearer tokens with TokenReview against the upstream (on by default).</summary>
    public bool TokenReview { get; set; } = true;

    /// <summary>Audiences sent in TokenReviews; empty for the apiserver's default audiences.</summary>
#pragma warning disable CA2227 // Options classes are bound from configuration, which needs a setter.
    public IList<string> Audiences { get; set; } = new List<string>();
#pragma warning restore CA2227

    /// <summary>How long a token that TokenReview accepted is trusted without asking again (the apiserver's webhook default, 2 minutes).</summary>
    public TimeSpan TokenSuccessTtl { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a token that TokenReview rejected is rejected without asking again.</summary>
    public TimeSpan TokenFailureTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most TokenReview results kept.</summary>
    public int TokenCacheSize { get; set; } = 10_000;

    /// <summary>Treat requests without credentials as <c>system:anonymous</c> (group <c>system:unauthenticated</c>) and authorize them, instead of answering 401.</summary>
    public bool Anonymous { get; set; }
}
