namespace ApiCache.Tests.Security.Authentication;

/// <summary>Who a token of <see cref="TokenReviewingUpstream"/> belongs to.</summary>
internal sealed record ReviewedUser(string Name, string Uid, string[] Groups, Dictionary<string, string[]>? Extra = null);
