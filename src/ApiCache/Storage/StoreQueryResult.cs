namespace ApiCache.Storage;

/// <summary>
/// The outcome of running a <see cref="QueryPlan"/> (the objects themselves went to the caller's list).
/// </summary>
/// <param name="Count">How many objects the query appended.</param>
/// <param name="HasMore">
/// True when the page is full (the query's limit reached) and objects of the listed namespace (or of
/// all) follow the last one appended, whether they match or not: the list needs a continue token, as
/// the apiserver gives one (its next page may be empty).
/// </param>
/// <param name="RemainingItemCount">
/// How many matching objects follow the last one appended, when that is cheap to know: the query has no
/// label or field selector (as the apiserver, which only reports <c>remainingItemCount</c> then). 0 when
/// <paramref name="HasMore"/> is false; null when the query has selectors.
/// </param>
/// <param name="Plan">The plan that ran (its <see cref="QueryPlan.Describe"/> is for logs, metrics and tests).</param>
internal readonly record struct StoreQueryResult(int Count, bool HasMore, long? RemainingItemCount, QueryPlan Plan);
