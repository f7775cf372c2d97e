namespace ApiCache.LoadTests;

/// <summary>
/// One read the <c>list</c> mode measures: the request paths a run rotates over (without
/// resourceVersion; the targets add theirs), how many connections, and whether the answers are
/// small enough to count their items once; <paramref name="MeasureMemory"/> prints the sidecar's
/// memory before and after it.
/// </summary>
internal sealed record ListScenario(string Name, IReadOnlyList<string> Paths, int Connections, bool CountItems, bool MeasureMemory = false);
