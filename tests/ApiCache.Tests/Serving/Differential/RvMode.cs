namespace ApiCache.Tests.Serving.Differential;

/// <summary>The resourceVersion dimension of the matrix (DESIGN.md's table, the fixtures 02-*, 04-err-rv-*).</summary>
internal enum RvMode
{
    /// <summary>No resourceVersion: a consistent read (the proxy asks its quorum probe).</summary>
    Unset,

    /// <summary><c>resourceVersion=0</c>: any recent state, the limit ignored.</summary>
    Zero,

    /// <summary>The upstream's current revision, NotOlderThan (or without a match: legacy; with a limit that is Exact).</summary>
    CurrentNotOlderThan,

    /// <summary>An earlier revision with <c>resourceVersionMatch=Exact</c>: the state then (from the cache's history, or forwarded).</summary>
    OldExact,

    /// <summary>An earlier revision with a limit and no match: the legacy form of Exact.</summary>
    LegacyExactWithLimit,

    /// <summary>A revision far in the future: 504 Too large resource version after the wait.</summary>
    Future,

    /// <summary>Not a number: 400.</summary>
    Garbage,
}
