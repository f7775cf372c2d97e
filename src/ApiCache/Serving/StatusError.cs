namespace ApiCache.Serving;

/// <summary>
/// A Kubernetes <c>Status</c> failure (kind Status, apiVersion v1, status Failure), as the
/// apiserver answers errors: an HTTP code, a machine-readable reason and a human message.
/// </summary>
internal sealed record StatusError(int Code, string Reason, string Message)
{
    /// <summary><c>details.name</c>: the name of the object the error is about.</summary>
    public string? DetailsName { get; init; }

    /// <summary><c>details.group</c>: the API group of that object.</summary>
    public string? DetailsGroup { get; init; }

    /// <summary><c>details.kind</c>: the kind (or resource) of that object.</summary>
    public string? DetailsKind { get; init; }

    /// <summary><c>details.causes</c>: (reason, message, field) triples.</summary>
    public IReadOnlyList<StatusCause>? Causes { get; init; }

    /// <summary><c>details.retryAfterSeconds</c>, also sent as the <c>Retry-After</c> header.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary><c>metadata.continue</c>: the 410 for an expired continue token carries a token that goes on at the latest revision.</summary>
    public string? MetadataContinue { get; init; }

    /// <summary>
    /// Write <c>"details":{}</c> even when there are no details, as the apiserver's generic server
    /// responses do (404 for an unknown resource); errors built like Go's NewBadRequest omit it.
    /// </summary>
    public bool EmptyDetails { get; init; }

    /// <summary>503 ServiceUnavailable: the upstream could not be reached.</summary>
    public static StatusError ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    /// <summary>504 Timeout: the upstream did not answer in time.</summary>
    public static StatusError Timeout(string message) => new(504, "Timeout", message);

    /// <summary>400 BadRequest, without details (Go's NewBadRequest).</summary>
    public static StatusError BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>
    /// 422 Invalid for an object of <paramref name="kind"/> in <paramref name="group"/> (messages say
    /// <c>Pod</c>, <c>Deployment.apps</c>, <c>ListOptions.meta.k8s.io</c>) named <paramref name="name"/>: the message lists the field
    /// errors (in brackets when there are several) and each becomes a cause.
    /// </summary>
    public static StatusError Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = group.Length == 0 ? kind : kind + "." + group;
        var list = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors) + "]";
        return new StatusError(422, "Invalid", $"{qualifiedKind} {FieldError.Quote(name)} is invalid: {list}")
        {
            DetailsName = name.Length == 0 ? null : name,
            DetailsGroup = group.Length == 0 ? null : group,
            DetailsKind = kind,
            Causes = [.. errors.Select(e => new StatusCause(e.Reason, e.Body, e.Field))],
        };
    }

    /// <summary>404 NotFound for one object: <c>pods "x" not found</c>, details name, group and kind (the resource).</summary>
    public static StatusError NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(resource, group)} {FieldError.Quote(name)} not found")
        {
            DetailsName = name,
            DetailsGroup = group.Length == 0 ? null : group,
            DetailsKind = resource,
        };

    /// <summary>409 AlreadyExists: <c>pods "x" already exists</c>.</summary>
    public static StatusError AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(resource, group)} {FieldError.Quote(name)} already exists")
        {
            DetailsName = name,
            DetailsGroup = group.Length == 0 ? null : group,
            DetailsKind = resource,
        };

    /// <summary>409 Conflict: <c>Operation cannot be fulfilled on pods "x": detail</c>.</summary>
    public static StatusError Conflict(string group, string resource, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(resource, group)} {FieldError.Quote(name)}: {detail}")
        {
            DetailsName = name,
            DetailsGroup = group.Length == 0 ? null : group,
            DetailsKind = resource,
        };

    /// <summary>
    /// 429 TooManyRequests with <c>details.retryAfterSeconds</c> and the <c>Retry-After</c> header,
    /// as the apiserver answers when it sheds load (fixture 04-err-429-*).
    /// </summary>
    public static StatusError TooManyRequests(string message, int retryAfterSeconds) =>
        new(429, "TooManyRequests", message) { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>401 Unauthorized, exactly as the apiserver answers missing or bad credentials (fixture 04-err-401-bad-token).</summary>
    public static StatusError Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    /// <summary>403 Forbidden: an authenticated caller that may not do what it asked.</summary>
    public static StatusError Forbidden(string message) => new(403, "Forbidden", message);

    /// <summary>405 MethodNotAllowed with empty details, as the apiserver answers it (fixture 04-err-405-method-not-allowed).</summary>
    public static StatusError MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource") { EmptyDetails = true };

    /// <summary>500 InternalError.</summary>
    public static StatusError Internal(string message) => new(500, "InternalError", message);

    /// <summary><c>pods</c> or <c>deployments.apps</c>, as group-qualified resources appear in messages.</summary>
    private static string Qualified(string resource, string group) => group.Length == 0 ? resource : resource + "." + group;
}

/// <summary>One entry of <c>details.causes</c>.</summary>
internal sealed record StatusCause(string Reason, string Message, string? Field = null);
