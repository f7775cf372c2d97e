using System.Globalization;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Requests;

/// <summary>
/// Reads <see cref="ListOptions"/> from a query string and validates them as the apiserver does
/// (ValidateListOptions), answering the same 400/422 Status for the same mistakes.
/// </summary>
internal static class ListOptionsParser
{
    private const string MatchField = "resourceVersionMatch";

    /// <summary>Parses and validates; returns null and sets <paramref name="error"/> when the request is invalid.</summary>
    public static ListOptions? Parse(IQueryCollection query, out StatusError? error)
    {
        error = null;
        var watch = IsTrue(query["watch"]);
        var continueToken = NonEmpty(query["continue"]);
        var match = NonEmpty(query[MatchField]);
        var resourceVersion = NonEmpty(query["resourceVersion"]);
        bool? sendInitialEvents = NonEmpty(query["sendInitialEvents"]) is string s ? IsTrue(s) : null;

        var errors = watch
            ? ValidateWatch(match, continueToken, sendInitialEvents)
            : ValidateList(match, resourceVersion, continueToken, sendInitialEvents);
        if (errors.Count > 0)
        {
            error = StatusError.Invalid("ListOptions", "meta.k8s.io", "", errors);
            return null;
        }

        ulong? rvNumber = null;
        if (resourceVersion is not null)
        {
            if (!TryParseResourceVersion(resourceVersion, out var parsed, out error))
            {
                return null;
            }

            rvNumber = parsed;
        }

        if (!TryParseInt("limit", query["limit"], out var limit, out error)
            || !TryParseInt("timeoutSeconds", query["timeoutSeconds"], out var timeout, out error))
        {
            return null;
        }

        return new ListOptions
        {
            ResourceVersion = resourceVersion,
            ResourceVersionNumber = rvNumber,
            ResourceVersionMatch = match,
            Limit = limit ?? 0,
            Continue = continueToken,
            LabelSelector = query["labelSelector"].ToString(),
            FieldSelector = query["fieldSelector"].ToString(),
            Watch = watch,
            AllowWatchBookmarks = IsTrue(query["allowWatchBookmarks"]),
            TimeoutSeconds = timeout,
            SendInitialEvents = sendInitialEvents,
        };
    }

    /// <summary>
    /// Parses a <c>resourceVersion</c> parameter (LIST, WATCH and GET); on failure the apiserver's
    /// 400 <c>invalid resource version: ... strconv.ParseUint ...</c>.
    /// </summary>
    public static bool TryParseResourceVersion(string text, out ulong resourceVersion, out StatusError? error)
    {
        error = null;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out resourceVersion))
        {
            return true;
        }

        error = StatusError.BadRequest(
            $"invalid resource version: resourceVersion: Invalid value: {FieldError.Quote(text)}: strconv.ParseUint: parsing {FieldError.Quote(text)}: invalid syntax");
        return false;
    }

    private static List<FieldError> ValidateList(string? match, string? resourceVersion, string? continueToken, bool? sendInitialEvents)
    {
        var errors = new List<FieldError>();
        if (match is not null)
        {
            if (resourceVersion is null)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, MatchField, "resourceVersionMatch is forbidden unless resourceVersion is provided"));
            }

            if (continueToken is not null)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, MatchField, "resourceVersionMatch is forbidden when continue is provided"));
            }

            if (match is not ("Exact" or "NotOlderThan"))
            {
                errors.Add(FieldError.NotSupported(MatchField, match, ["Exact", "NotOlderThan", ""]));
            }

            if (match == "Exact" && resourceVersion == "0")
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, MatchField, "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
            }
        }

        if (sendInitialEvents is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, "sendInitialEvents", "sendInitialEvents is forbidden for list"));
        }

        return errors;
    }

    private static List<FieldError> ValidateWatch(string? match, string? continueToken, bool? sendInitialEvents)
    {
        var errors = new List<FieldError>();
        if (sendInitialEvents is not null && match != "NotOlderThan")
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, MatchField, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
        }

        if (match is not null)
        {
            if (sendInitialEvents is null)
            {
                errors.Add(new FieldError(FieldErrorType.Forbidden, MatchField, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
            }

            if (match != "NotOlderThan")
            {
                errors.Add(FieldError.NotSupported(MatchField, match, ["NotOlderThan"]));
            }
        }

        // The apiserver rejects continue on a watch whatever the match (fixture 04-err-watch-and-continue).
        if (continueToken is not null)
        {
            errors.Add(new FieldError(FieldErrorType.Forbidden, MatchField, "resourceVersionMatch is forbidden when continue is provided"));
        }

        return errors;
    }

    private static bool TryParseInt(string name, Microsoft.Extensions.Primitives.StringValues values, out long? value, out StatusError? error)
    {
        value = null;
        error = null;
        if (NonEmpty(values) is not string text)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = StatusError.BadRequest($"invalid value for {name}: strconv.ParseInt: parsing {FieldError.Quote(text)}: invalid syntax");
        return false;
    }

    /// <summary>Go's strconv.ParseBool as the query decoder applies it: 1, t, T, TRUE, true, True.</summary>
    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues values) =>
        values.ToString() is "1" or "t" or "T" or "true" or "TRUE" or "True";

    private static string? NonEmpty(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 0 || string.IsNullOrEmpty(values[0]) ? null : values[0];
}
