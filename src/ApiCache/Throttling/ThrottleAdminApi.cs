using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ApiCache.Configuration;
using ApiCache.Security;
using ApiCache.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiCache.Throttling;

/// <summary>
/// The admin endpoints: <c>/apicache/v1/throttles</c> (GET the rules, PUT the whole list, DELETE
/// all), <c>/apicache/v1/throttles/{name}</c> (GET, PUT to add or replace, DELETE one rule) and
/// <c>/apicache/v1/top</c> (the heaviest User-Agents of the last minute). The rule endpoints exist
/// only when <see cref="ThrottlingAdminOptions.Enabled"/>. Who may use them: when the request has an
/// authenticated caller (<see cref="SecurityMode.Authenticate"/>), an allowed SubjectAccessReview of
/// the path with the lower-cased HTTP method as the verb (e.g. RBAC <c>nonResourceURLs:
/// ["/apicache/v1/*"]</c>) decides, for <c>/top</c> too, and the token file and certificate names are
/// not consulted; a request without one is refused with 401 in that mode. In
/// <see cref="SecurityMode.Trusted"/> mode the rule endpoints (and <c>/top</c> then) accept only the
/// configured identities, and <c>/top</c> is open while the rule endpoints are off. Errors are
/// Kubernetes Status objects: 400 with the validation
/// messages (the previous rules stay in force), 401 without valid credentials, 403 for an identity
/// that is not allowed, 404 for an unknown rule, 405 for other methods, 409 when the generation
/// sent is stale, 413 for bodies over <see cref="MaxBodyBytes"/>.
/// </summary>
internal sealed class ThrottleAdminApi
{
    /// <summary>The rule list.</summary>
    public const string ThrottlesPath = "/apicache/v1/throttles";

    /// <summary>The traffic view.</summary>
    public const string TopPath = "/apicache/v1/top";

    /// <summary>The largest request body accepted.</summary>
    public const int MaxBodyBytes = 1 << 20;

    /// <summary>How many User-Agents <c>/top</c> lists unless <c>?limit=</c> says otherwise.</summary>
    public const int DefaultTopLimit = 20;

    private readonly ThrottleRuleStore _store;
    private readonly UserAgentTraffic _traffic;
    private readonly InflightCounters _inflight;
    private readonly AdminAuthenticator? _authenticator;
    private readonly RequestAuthorizer _authorizer;
    private readonly ILogger<ThrottleAdminApi> _logger;

    public ThrottleAdminApi(
        ThrottleRuleStore store,
        UserAgentTraffic traffic,
        InflightCounters inflight,
        IOptions<ApiCacheOptions> options,
        RequestAuthorizer authorizer,
        ILogger<ThrottleAdminApi> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _authorizer = authorizer;
        _traffic = traffic;
        _inflight = inflight;
        _logger = logger;
        var admin = options.Value.Throttling.Admin;
        _authenticator = admin is { Enabled: true } ? new AdminAuthenticator(admin, logger) : null;
    }

    /// <summary>Maps the endpoints (none of them throttled).</summary>
    public void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.Map(ThrottlesPath, ThrottlesAsync).WithDisplayName("ApiCache throttles");
        endpoints.Map(ThrottlesPath + "/{name}", context => ThrottleAsync(context, (string)context.GetRouteValue("name")!))
            .WithDisplayName("ApiCache throttle");
        endpoints.Map(TopPath, TopAsync).WithDisplayName("ApiCache top User-Agents");
    }

    /// <summary>The rule list: GET, PUT, DELETE.</summary>
    public async Task ThrottlesAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await AuthorizeAsync(context, rulesEndpoint: true))
        {
            return;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsGet(method))
        {
            await WriteRulesAsync(context, StatusCodes.Status200OK, _store.Current);
        }
        else if (HttpMethods.IsPut(method))
        {
            var (document, error) = await ReadAsync<ThrottleRuleListDocument>(context);
            if (error is null && document!.Rules is null)
            {
                error = StatusError.BadRequest("rules is required: the complete rule list (use DELETE to remove every rule).");
            }

            if (error is not null)
            {
                await StatusWriter.WriteAsync(context.Response, error, context.RequestAborted);
                return;
            }

            await RespondAsync(context, _store.ReplaceAll(document!.Rules!, document.Generation));
        }
        else if (HttpMethods.IsDelete(method))
        {
            if (TryGeneration(context, out var generation, out var error))
            {
                await RespondAsync(context, _store.ReplaceAll([], generation));
            }
            else
            {
                await StatusWriter.WriteAsync(context.Response, error!, context.RequestAborted);
            }
        }
        else
        {
            await MethodNotAllowedAsync(context, "GET, PUT, DELETE");
        }
    }

    /// <summary>One rule: GET, PUT (add or replace; <c>?index=</c> places it), DELETE.</summary>
    public async Task ThrottleAsync(HttpContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await AuthorizeAsync(context, rulesEndpoint: true))
        {
            return;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsGet(method))
        {
            if (_store.Current.Find(name) is { } rule)
            {
                await WriteJsonAsync(context, StatusCodes.Status200OK, rule.Definition);
            }
            else
            {
                await StatusWriter.WriteAsync(context.Response, NotFound(name), context.RequestAborted);
            }
        }
        else if (HttpMethods.IsPut(method))
        {
            var (rule, error) = await ReadAsync<ThrottleRuleOptions>(context);
            int? index = null;
            if (error is null && context.Request.Query["index"].ToString() is { Length: > 0 } text)
            {
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    index = value;
                }
                else
                {
                    error = StatusError.BadRequest($"index \"{text}\" is not a non-negative integer.");
                }
            }

            long? generation = null;
            if (error is null)
            {
                TryGeneration(context, out generation, out error);
            }

            if (error is not null)
            {
                await StatusWriter.WriteAsync(context.Response, error, context.RequestAborted);
                return;
            }

            await RespondAsync(context, _store.Upsert(name, rule!, index, generation), name);
        }
        else if (HttpMethods.IsDelete(method))
        {
            if (TryGeneration(context, out var generation, out var error))
            {
                await RespondAsync(context, _store.Remove(name, generation), name);
            }
            else
            {
                await StatusWriter.WriteAsync(context.Response, error!, context.RequestAborted);
            }
        }
        else
        {
            await MethodNotAllowedAsync(context, "GET, PUT, DELETE");
        }
    }

    /// <summary>
    /// The heaviest User-Agent products of the last minute, sorted by requests, with their
    /// rejections, plus what fell outside the tracked products and the requests in flight.
    /// </summary>
    public async Task TopAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!await AuthorizeAsync(context, rulesEndpoint: false))
        {
            return;
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await MethodNotAllowedAsync(context, "GET");
            return;
        }

        var limit = DefaultTopLimit;
        if (context.Request.Query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            await StatusWriter.WriteAsync(context.Response, StatusError.BadRequest($"limit \"{text}\" must be an integer from 1 to 1000."), context.RequestAborted);
            return;
        }

        var (top, otherRequests, otherRejections) = _traffic.Snapshot(limit);
        context.Response.StatusCode = StatusCodes.Status200OK;
        SetJsonHeaders(context.Response);
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("windowSeconds"u8, UserAgentTraffic.WindowSeconds);
            json.WriteStartArray("userAgents"u8);
            foreach (var entry in top)
            {
                json.WriteStartObject();
                json.WriteString("userAgent"u8, UserAgentProduct.Display(entry.Product));
                json.WriteNumber("requests"u8, entry.Requests);
                json.WriteNumber("rejections"u8, entry.Rejections);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("other"u8);
            json.WriteNumber("requests"u8, otherRequests);
            json.WriteNumber("rejections"u8, otherRejections);
            json.WriteEndObject();
            json.WriteStartObject("inflight"u8);
            json.WriteNumber("read"u8, _inflight.Reads);
            json.WriteNumber("mutation"u8, _inflight.Mutations);
            json.WriteNumber("longRunning"u8, _inflight.LongRunning);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.BodyWriter.Write("\n"u8);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static Task AdminOffAsync(HttpContext context) =>
        StatusWriter.WriteAsync(
            context.Response,
            new StatusError(404, "NotFound", $"the throttling admin endpoint is off: set {ThrottlingValidator.Key}:Admin:Enabled to true (in the Trusted security mode with a BearerTokenFile or ClientCertificateCommonNames)") { EmptyDetails = true },
            context.RequestAborted);

    private static StatusError NotFound(string name) =>
        new(404, "NotFound", $"throttle rule \"{name}\" not found") { DetailsName = name, DetailsKind = "throttles" };

    private static void SetJsonHeaders(HttpResponse response)
    {
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
    }

    private static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return StatusWriter.WriteAsync(context.Response, StatusError.MethodNotAllowed(), context.RequestAborted);
    }

    /// <summary>The optional <c>?generation=</c> a change expects; false with a 400 when it is not a number.</summary>
    private static bool TryGeneration(HttpContext context, out long? generation, out StatusError? error)
    {
        generation = null;
        error = null;
        if (context.Request.Query["generation"].ToString() is not { Length: > 0 } text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            generation = value;
            return true;
        }

        error = StatusError.BadRequest($"generation \"{text}\" is not a non-negative integer.");
        return false;
    }

    /// <summary>Reads and deserializes a JSON body of at most <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<(T? Value, StatusError? Error)> ReadAsync<T>(HttpContext context)
        where T : class
    {
        var tooLarge = new StatusError(413, "RequestEntityTooLarge", $"the request body is larger than {MaxBodyBytes} bytes");
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, tooLarge);
        }

        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                return (null, tooLarge);
            }

            body.Write(chunk, 0, read);
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body.GetBuffer().AsSpan(0, (int)body.Length), ThrottleJson.Options);
            return value is null
                ? (null, StatusError.BadRequest($"the request body must be a JSON object ({(typeof(T) == typeof(ThrottleRuleOptions) ? "one rule" : "{\"rules\": [...]}")})."))
                : (value, null);
        }
        catch (JsonException e)
        {
            return (null, StatusError.BadRequest($"the request body is not a valid {(typeof(T) == typeof(ThrottleRuleOptions) ? "throttle rule" : "throttle rule list")}: {e.Message}"));
        }
    }

    private static Task WriteRulesAsync(HttpContext context, int statusCode, ThrottleRuleSet rules) =>
        WriteJsonAsync(context, statusCode, new ThrottleRuleListDocument
        {
            Rules = [.. rules.Rules.Select(r => r.Definition)],
            Generation = rules.Generation,
            Source = ThrottlingMetrics.SourceLabel(rules.Source),
        });

    private static async Task WriteJsonAsync<T>(HttpContext context, int statusCode, T value)
    {
        context.Response.StatusCode = statusCode;
        SetJsonHeaders(context.Response);
        await JsonSerializer.SerializeAsync(context.Response.Body, value, ThrottleJson.Indented, context.RequestAborted);
        await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
    }

    /// <summary>Answers a change: the rules now in force, or the Status of why nothing changed.</summary>
    private static Task RespondAsync(HttpContext context, ThrottleUpdate update, string? name = null)
    {
        var error = update.Status switch
        {
            ThrottleUpdateStatus.Invalid => new StatusError(400, "BadRequest", "the throttling rules were not changed: " + string.Join(" ", update.Errors))
            {
                Causes = [.. update.Errors.Select(e => new StatusCause("FieldValueInvalid", e))],
            },
            ThrottleUpdateStatus.NotFound => NotFound(name ?? ""),
            ThrottleUpdateStatus.Conflict => new StatusError(409, "Conflict", string.Join(" ", update.Errors)),
            _ => null,
        };
        return error is not null
            ? StatusWriter.WriteAsync(context.Response, error, context.RequestAborted)
            : WriteRulesAsync(context, update.Status == ThrottleUpdateStatus.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK, update.RuleSet);
    }

    /// <summary>
    /// Lets the request go on if the caller may use the endpoint; otherwise answers 401/403 (or 404
    /// for the rule endpoints while the admin endpoint is off) and returns false.
    /// </summary>
    private async Task<bool> AuthorizeAsync(HttpContext context, bool rulesEndpoint)
    {
        var method = context.Request.Method;
        var path = context.Request.Path.Value ?? "";
        switch (await _authorizer.AuthorizeEndpointAsync(context))
        {
            case EndpointAccess.Refused:
                return false;
            case EndpointAccess.Allowed:
                if (rulesEndpoint && _authenticator is null)
                {
                    await AdminOffAsync(context);
                    return false;
                }

                if (!HttpMethods.IsGet(method))
                {
                    var user = "user " + CallerFeature.Get(context)!.User.Name;
                    ThrottlingLog.AdminRequest(_logger, method, path, user);
                }

                return true;
        }

        // No authenticated caller (trusted mode): the configured token file and certificate names.
        if (_authenticator is null)
        {
            if (!rulesEndpoint)
            {
                return true;
            }

            await AdminOffAsync(context);
            return false;
        }

        var (outcome, identity) = _authenticator.Authenticate(context);
        switch (outcome)
        {
            case AdminAuthOutcome.Allowed:
                if (!HttpMethods.IsGet(method))
                {
                    ThrottlingLog.AdminRequest(_logger, method, path, identity);
                }

                return true;
            case AdminAuthOutcome.Forbidden:
                ThrottlingLog.AdminRefused(_logger, method, path, identity);
                await StatusWriter.WriteAsync(
                    context.Response,
                    StatusError.Forbidden($"forbidden: {identity}, so it may not use {path}"),
                    context.RequestAborted);
                return false;
            default:
                ThrottlingLog.AdminRefused(_logger, method, path, identity);
                await StatusWriter.WriteAsync(context.Response, StatusError.Unauthorized(), context.RequestAborted);
                return false;
        }
    }
}
