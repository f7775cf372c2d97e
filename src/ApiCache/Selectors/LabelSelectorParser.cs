using System.Diagnostics.CodeAnalysis;

namespace ApiCache.Selectors;

/// <summary>
/// The label selector lexer and recursive-descent parser of apimachinery's <c>labels.Parse</c>,
/// reproduced token for token so that what it accepts, what it infers and every error message are
/// the apiserver's:
/// <code>
/// selector    ::= requirement | requirement "," selector
/// requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | "&gt;" | "&lt;") VALUE ]
/// </code>
/// Whitespace (space, tab, CR, LF) separates tokens; <c>=!(),&gt;&lt;</c> end identifiers; a NUL char
/// ends the input as Go's lexer treats a 0 byte. <c>in</c>/<c>notin</c> are keywords only where an
/// operator is expected.
/// </summary>
internal sealed class LabelSelectorParser
{
    private readonly List<Token> _tokens = [];
    private int _position;

    private LabelSelectorParser(string selector)
    {
        var lexer = new Lexer(selector);
        while (true)
        {
            var token = lexer.Next();
            _tokens.Add(token);
            if (token.Kind == TokenKind.EndOfString)
            {
                break;
            }
        }
    }

    /// <summary>Where a keyword is read: in values (and keys) <c>in</c>/<c>notin</c> are plain identifiers.</summary>
    private enum Context
    {
        KeyAndOperator,
        Values,
    }

    private enum TokenKind
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        Equals,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    /// <summary>
    /// Parses a selector into its requirements in text order (not yet sorted by key). On failure
    /// <paramref name="error"/> is the apiserver's message, e.g.
    /// <c>unable to parse requirement: found '=', expected: identifier</c>.
    /// </summary>
    public static bool TryParse(string selector, out List<LabelRequirement> requirements, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return new LabelSelectorParser(selector).Parse(out requirements, out error);
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecialSymbol(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    private static TokenKind? SymbolKind(string text) => text switch
    {
        ")" => TokenKind.ClosedPar,
        "," => TokenKind.Comma,
        "!" => TokenKind.DoesNotExist,
        "==" => TokenKind.DoubleEquals,
        "=" => TokenKind.Equals,
        ">" => TokenKind.GreaterThan,
        "<" => TokenKind.LessThan,
        "!=" => TokenKind.NotEquals,
        "(" => TokenKind.OpenPar,
        _ => null,
    };

    private bool Parse(out List<LabelRequirement> requirements, [NotNullWhen(false)] out string? error)
    {
        requirements = [];
        while (true)
        {
            var (kind, literal) = Lookahead(Context.Values);
            switch (kind)
            {
                case TokenKind.Identifier or TokenKind.DoesNotExist:
                    if (!TryParseRequirement(out var requirement, out var requirementError))
                    {
                        error = "unable to parse requirement: " + requirementError;
                        return false;
                    }

                    requirements.Add(requirement);
                    var (next, nextLiteral) = Consume(Context.Values);
                    switch (next)
                    {
                        case TokenKind.EndOfString:
                            error = null;
                            return true;
                        case TokenKind.Comma:
                            var (afterComma, afterCommaLiteral) = Lookahead(Context.Values);
                            if (afterComma is not (TokenKind.Identifier or TokenKind.DoesNotExist))
                            {
                                error = $"found '{afterCommaLiteral}', expected: identifier after ','";
                                return false;
                            }

                            break;
                        default:
                            error = $"found '{nextLiteral}', expected: ',' or 'end of string'";
                            return false;
                    }

                    break;
                case TokenKind.EndOfString:
                    error = null;
                    return true;
                default:
                    error = $"found '{literal}', expected: !, identifier, or 'end of string'";
                    return false;
            }
        }
    }

    private bool TryParseRequirement(
        [NotNullWhen(true)] out LabelRequirement? requirement,
        [NotNullWhen(false)] out string? error)
    {
        requirement = null;
        if (!TryParseKeyAndInferOperator(out var key, out var @operator, out error))
        {
            return false;
        }

        if (@operator is LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist)
        {
            return LabelRequirement.TryCreate(key, @operator.Value, [], out requirement, out error);
        }

        if (!TryParseOperator(out var binary, out error))
        {
            return false;
        }

        var values = new SortedSet<string>(GoText.Utf8Order);
        var parsed = binary is LabelSelectorOperator.In or LabelSelectorOperator.NotIn
            ? TryParseValues(values, out error)
            : TryParseExactValue(values, out error);
        return parsed && LabelRequirement.TryCreate(key, binary, values, out requirement, out error);
    }

    /// <summary>
    /// Reads <c>[!] KEY</c>; a key followed by ',' or the end means "exists" (or stays "does not exist").
    /// A null operator means a binary operator follows.
    /// </summary>
    private bool TryParseKeyAndInferOperator(out string key, out LabelSelectorOperator? @operator, [NotNullWhen(false)] out string? error)
    {
        @operator = null;
        key = "";
        var (kind, literal) = Consume(Context.Values);
        if (kind == TokenKind.DoesNotExist)
        {
            @operator = LabelSelectorOperator.DoesNotExist;
            (kind, literal) = Consume(Context.Values);
        }

        if (kind != TokenKind.Identifier)
        {
            error = $"found '{literal}', expected: identifier";
            return false;
        }

        var keyErrors = LabelValidation.KeyErrors(literal);
        if (keyErrors.Count > 0)
        {
            // Go validates the key against a nil field path, which prints as "<nil>".
            error = $"<nil>: Invalid value: {GoText.Quote(literal)}: {string.Join("; ", keyErrors)}";
            return false;
        }

        var (next, _) = Lookahead(Context.Values);
        if (next is TokenKind.EndOfString or TokenKind.Comma && @operator != LabelSelectorOperator.DoesNotExist)
        {
            @operator = LabelSelectorOperator.Exists;
        }

        key = literal;
        error = null;
        return true;
    }

    private bool TryParseOperator(out LabelSelectorOperator @operator, [NotNullWhen(false)] out string? error)
    {
        var (kind, literal) = Consume(Context.KeyAndOperator);
        LabelSelectorOperator? found = kind switch
        {
            TokenKind.In => LabelSelectorOperator.In,
            TokenKind.Equals => LabelSelectorOperator.Equals,
            TokenKind.DoubleEquals => LabelSelectorOperator.DoubleEquals,
            TokenKind.GreaterThan => LabelSelectorOperator.GreaterThan,
            TokenKind.LessThan => LabelSelectorOperator.LessThan,
            TokenKind.NotIn => LabelSelectorOperator.NotIn,
            TokenKind.NotEquals => LabelSelectorOperator.NotEquals,
            _ => null,
        };
        @operator = found ?? default;
        error = found is null ? $"found '{literal}', expected: in, notin, =, ==, !=, gt, lt" : null;
        return found is not null;
    }

    /// <summary>Reads <c>( VALUES )</c>; <c>()</c> is the single empty value.</summary>
    private bool TryParseValues(SortedSet<string> values, [NotNullWhen(false)] out string? error)
    {
        var (kind, literal) = Consume(Context.Values);
        if (kind != TokenKind.OpenPar)
        {
            error = $"found '{literal}' expected: '('";
            return false;
        }

        (kind, literal) = Lookahead(Context.Values);
        switch (kind)
        {
            case TokenKind.Identifier or TokenKind.Comma:
                if (!TryParseIdentifiersList(values, out error))
                {
                    return false;
                }

                if (Consume(Context.Values).Kind != TokenKind.ClosedPar)
                {
                    // Unreachable as in Go (the list ends only before ')'), and reports the stale literal as Go would.
                    error = $"found '{literal}', expected: ')'";
                    return false;
                }

                return true;
            case TokenKind.ClosedPar:
                Consume(Context.Values);
                values.Add("");
                error = null;
                return true;
            default:
                error = $"found '{literal}', expected: ',', ')' or identifier";
                return false;
        }
    }

    /// <summary>Reads comma-separated, possibly empty values up to (not including) ')'.</summary>
    private bool TryParseIdentifiersList(SortedSet<string> values, [NotNullWhen(false)] out string? error)
    {
        // Each pass consumes one token, so the loop ends within the token count.
        for (var guard = 0; guard <= _tokens.Count; guard++)
        {
            var (kind, literal) = Consume(Context.Values);
            switch (kind)
            {
                case TokenKind.Identifier:
                    values.Add(literal);
                    var (next, nextLiteral) = Lookahead(Context.Values);
                    switch (next)
                    {
                        case TokenKind.Comma:
                            continue;
                        case TokenKind.ClosedPar:
                            error = null;
                            return true;
                        default:
                            error = $"found '{nextLiteral}', expected: ',' or ')'";
                            return false;
                    }

                case TokenKind.Comma:
                    if (values.Count == 0)
                    {
                        values.Add("");
                    }

                    var (afterComma, _) = Lookahead(Context.Values);
                    if (afterComma == TokenKind.ClosedPar)
                    {
                        values.Add("");
                        error = null;
                        return true;
                    }

                    if (afterComma == TokenKind.Comma)
                    {
                        values.Add("");
                    }

                    continue;
                default:
                    error = $"found '{literal}', expected: ',', or identifier";
                    return false;
            }
        }

        error = "found '', expected: ',', or identifier";
        return false;
    }

    /// <summary>Reads the single value of an equality or comparison; nothing before ',' or the end is "".</summary>
    private bool TryParseExactValue(SortedSet<string> values, [NotNullWhen(false)] out string? error)
    {
        var (kind, _) = Lookahead(Context.Values);
        if (kind is TokenKind.EndOfString or TokenKind.Comma)
        {
            values.Add("");
            error = null;
            return true;
        }

        (kind, var literal) = Consume(Context.Values);
        if (kind == TokenKind.Identifier)
        {
            values.Add(literal);
            error = null;
            return true;
        }

        error = $"found '{literal}', expected: identifier";
        return false;
    }

    private Token Lookahead(Context context) => InContext(_tokens[_position], context);

    private Token Consume(Context context)
    {
        var token = _tokens[_position];

        // The token list ends with EndOfString; stay on it rather than run past the end.
        if (_position < _tokens.Count - 1)
        {
            _position++;
        }

        return InContext(token, context);
    }

    private static Token InContext(Token token, Context context) =>
        context == Context.Values && token.Kind is TokenKind.In or TokenKind.NotIn
            ? token with { Kind = TokenKind.Identifier }
            : token;

    private readonly record struct Token(TokenKind Kind, string Literal);

    /// <summary>apimachinery's label selector <c>Lexer</c>, char for byte.</summary>
    private sealed class Lexer(string text)
    {
        private int _position;

        public Token Next()
        {
            var c = SkipWhitespace(Read());
            if (c == '\0')
            {
                return new Token(TokenKind.EndOfString, "");
            }

            Unread();
            return IsSpecialSymbol(c) ? ScanSpecialSymbol() : ScanIdentifierOrKeyword();
        }

        /// <summary>The next char, or NUL at the end (then the position does not move).</summary>
        private char Read()
        {
            if (_position < text.Length)
            {
                return text[_position++];
            }

            return '\0';
        }

        private void Unread() => _position--;

        private char SkipWhitespace(char c)
        {
            while (IsWhitespace(c))
            {
                c = Read();
            }

            return c;
        }

        private Token ScanIdentifierOrKeyword()
        {
            var start = _position;
            var end = start;
            while (true)
            {
                var c = Read();
                if (c == '\0')
                {
                    break;
                }

                if (IsSpecialSymbol(c) || IsWhitespace(c))
                {
                    Unread();
                    break;
                }

                end = _position;
            }

            var literal = text[start..end];
            return literal switch
            {
                "in" => new Token(TokenKind.In, literal),
                "notin" => new Token(TokenKind.NotIn, literal),
                _ => new Token(TokenKind.Identifier, literal),
            };
        }

        /// <summary>The longest operator made of special symbols: <c>!=</c>, <c>==</c> before <c>!</c>, <c>=</c>.</summary>
        private Token ScanSpecialSymbol()
        {
            var buffer = "";
            Token? last = null;
            while (true)
            {
                var c = Read();
                if (c == '\0')
                {
                    break;
                }

                if (!IsSpecialSymbol(c))
                {
                    Unread();
                    break;
                }

                buffer += c;
                if (SymbolKind(buffer) is { } kind)
                {
                    last = new Token(kind, buffer);
                }
                else if (last is not null)
                {
                    Unread();
                    break;
                }
            }

            return last ?? new Token(TokenKind.Error, $"error expected: keyword found '{buffer}'");
        }
    }
}
