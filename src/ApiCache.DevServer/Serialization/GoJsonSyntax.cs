namespace ApiCache.DevServer.Serialization;

/// <summary>
/// Checks JSON syntax the way Go's <c>encoding/json</c> scanner does before it decodes anything, and
/// words the first error exactly like it ("invalid character 'x' looking for beginning of value",
/// "unexpected end of JSON input", ...). The apiserver quotes these messages verbatim in its 400
/// answers to malformed bodies and patches, so the dev server reproduces them instead of
/// System.Text.Json's own wording.
/// </summary>
/// <remarks>
/// Like Go, bytes outside strings must be JSON syntax, bytes inside strings may be any UTF-8 (even
/// invalid: Go replaces it on decode) except control characters. One deliberate difference: Go allows
/// 10000 levels of nesting, the dev server <see cref="MaxDepth"/> (its patch algorithms recurse), and
/// words a deeper document like Go's own "exceeded max depth" error.
/// </remarks>
internal static class GoJsonSyntax
{
    /// <summary>The deepest nesting of objects and arrays accepted.</summary>
    public const int MaxDepth = 1000;

    /// <summary>The scanner's states, one per Go state function.</summary>
    private enum State
    {
        BeginValue,
        BeginValueOrEmpty,
        BeginStringOrEmpty,
        BeginString,
        EndValue,
        EndTop,
        InString,
        InStringEsc,
        InStringEscU,
        InStringEscU1,
        InStringEscU12,
        InStringEscU123,
        Neg,
        One,
        Zero,
        Dot,
        Dot0,
        E,
        ESign,
        E0,
        T,
        Tr,
        Tru,
        F,
        Fa,
        Fal,
        Fals,
        N,
        Nu,
        Nul,
    }

    /// <summary>What the innermost open container expects next.</summary>
    private enum Parse : byte
    {
        ObjectKey,
        ObjectValue,
        ArrayValue,
    }

    /// <summary>
    /// Returns null when <paramref name="data"/> is one valid JSON value (surrounded by optional
    /// whitespace), else Go's error message for the first problem.
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> data)
    {
        var scanner = new Scanner();
        foreach (var c in data)
        {
            if (scanner.Step(c) is { } error)
            {
                return error;
            }
        }

        return scanner.End();
    }

    /// <summary>Go's <c>quoteChar</c>: a byte as the scanner shows it, e.g. <c>'x'</c>, <c>'\n'</c>, <c>'"'</c>.</summary>
    public static string QuoteChar(byte c) => c switch
    {
        (byte)'\'' => "'\\''",
        (byte)'"' => "'\"'",
        _ => "'" + GoText.QuoteRunes(((char)c).ToString())[1..^1] + "'",
    };

    /// <summary>One scan in progress: the current state and the stack of open containers.</summary>
    private sealed class Scanner
    {
        private readonly Stack<Parse> _parseState = new();
        private State _state = State.BeginValue;
        private bool _endTop;

        /// <summary>Feeds one byte; returns the error it causes, if any.</summary>
        public string? Step(byte c) => Dispatch(_state, c);

        /// <summary>Go's <c>eof</c>: the input ended; returns the error, if the value is incomplete.</summary>
        public string? End()
        {
            if (_endTop)
            {
                return null;
            }

            // Go feeds a space to finish a trailing number; that space can itself be the error ("1." at the end).
            if (Step((byte)' ') is { } error)
            {
                return error;
            }

            return _endTop ? null : "unexpected end of JSON input";
        }

        private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

        private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

        private static string Error(byte c, string context) => "invalid character " + QuoteChar(c) + " " + context;

        private string? Dispatch(State state, byte c) => state switch
        {
            State.BeginValue => BeginValue(c),
            State.BeginValueOrEmpty => IsSpace(c) ? null : c == (byte)']' ? EndValue(c) : BeginValue(c),
            State.BeginStringOrEmpty => BeginStringOrEmpty(c),
            State.BeginString => BeginString(c),
            State.EndValue => EndValue(c),
            State.EndTop => EndTop(c),
            State.InString => InString(c),
            State.InStringEsc => InStringEsc(c),
            State.InStringEscU => Expect(IsHex(c), State.InStringEscU1, c, "in \\u hexadecimal character escape"),
            State.InStringEscU1 => Expect(IsHex(c), State.InStringEscU12, c, "in \\u hexadecimal character escape"),
            State.InStringEscU12 => Expect(IsHex(c), State.InStringEscU123, c, "in \\u hexadecimal character escape"),
            State.InStringEscU123 => Expect(IsHex(c), State.InString, c, "in \\u hexadecimal character escape"),
            State.Neg => c == (byte)'0' ? Go(State.Zero) : Expect(c is >= (byte)'1' and <= (byte)'9', State.One, c, "in numeric literal"),
            State.One => c is >= (byte)'0' and <= (byte)'9' ? null : Zero(c),
            State.Zero => Zero(c),
            State.Dot => Expect(c is >= (byte)'0' and <= (byte)'9', State.Dot0, c, "after decimal point in numeric literal"),
            State.Dot0 => c is >= (byte)'0' and <= (byte)'9' ? null : c is (byte)'e' or (byte)'E' ? Go(State.E) : EndValue(c),
            State.E => c is (byte)'+' or (byte)'-' ? Go(State.ESign) : Dispatch(State.ESign, c),
            State.ESign => Expect(c is >= (byte)'0' and <= (byte)'9', State.E0, c, "in exponent of numeric literal"),
            State.E0 => c is >= (byte)'0' and <= (byte)'9' ? null : EndValue(c),
            State.T => Expect(c == (byte)'r', State.Tr, c, "in literal true (expecting 'r')"),
            State.Tr => Expect(c == (byte)'u', State.Tru, c, "in literal true (expecting 'u')"),
            State.Tru => Expect(c == (byte)'e', State.EndValue, c, "in literal true (expecting 'e')"),
            State.F => Expect(c == (byte)'a', State.Fa, c, "in literal false (expecting 'a')"),
            State.Fa => Expect(c == (byte)'l', State.Fal, c, "in literal false (expecting 'l')"),
            State.Fal => Expect(c == (byte)'s', State.Fals, c, "in literal false (expecting 's')"),
            State.Fals => Expect(c == (byte)'e', State.EndValue, c, "in literal false (expecting 'e')"),
            State.N => Expect(c == (byte)'u', State.Nu, c, "in literal null (expecting 'u')"),
            State.Nu => Expect(c == (byte)'l', State.Nul, c, "in literal null (expecting 'l')"),
            State.Nul => Expect(c == (byte)'l', State.EndValue, c, "in literal null (expecting 'l')"),
            _ => throw new InvalidOperationException("unknown scanner state " + state),
        };

        private string? Go(State next)
        {
            _state = next;
            return null;
        }

        private string? Expect(bool ok, State next, byte c, string context) => ok ? Go(next) : Error(c, context);

        private string? Push(byte c, Parse parse, State next)
        {
            _parseState.Push(parse);
            _state = next;
            return _parseState.Count <= MaxDepth ? null : Error(c, "exceeded max depth");
        }

        private string? BeginValue(byte c)
        {
            if (IsSpace(c))
            {
                return null;
            }

            return c switch
            {
                (byte)'{' => Push(c, Parse.ObjectKey, State.BeginStringOrEmpty),
                (byte)'[' => Push(c, Parse.ArrayValue, State.BeginValueOrEmpty),
                (byte)'"' => Go(State.InString),
                (byte)'-' => Go(State.Neg),
                (byte)'0' => Go(State.Zero),
                (byte)'t' => Go(State.T),
                (byte)'f' => Go(State.F),
                (byte)'n' => Go(State.N),
                >= (byte)'1' and <= (byte)'9' => Go(State.One),
                _ => Error(c, "looking for beginning of value"),
            };
        }

        private string? BeginStringOrEmpty(byte c)
        {
            if (IsSpace(c))
            {
                return null;
            }

            if (c == (byte)'}')
            {
                _parseState.Pop();
                _parseState.Push(Parse.ObjectValue);
                return EndValue(c);
            }

            return BeginString(c);
        }

        private string? BeginString(byte c)
        {
            if (IsSpace(c))
            {
                return null;
            }

            return c == (byte)'"' ? Go(State.InString) : Error(c, "looking for beginning of object key string");
        }

        private string? Zero(byte c) => c switch
        {
            (byte)'.' => Go(State.Dot),
            (byte)'e' or (byte)'E' => Go(State.E),
            _ => EndValue(c),
        };

        private string? EndValue(byte c)
        {
            if (_parseState.Count == 0)
            {
                _state = State.EndTop;
                _endTop = true;
                return EndTop(c);
            }

            if (IsSpace(c))
            {
                _state = State.EndValue;
                return null;
            }

            switch (_parseState.Peek())
            {
                case Parse.ObjectKey:
                    if (c == (byte)':')
                    {
                        _parseState.Pop();
                        _parseState.Push(Parse.ObjectValue);
                        return Go(State.BeginValue);
                    }

                    return Error(c, "after object key");
                case Parse.ObjectValue:
                    if (c == (byte)',')
                    {
                        _parseState.Pop();
                        _parseState.Push(Parse.ObjectKey);
                        return Go(State.BeginString);
                    }

                    return c == (byte)'}' ? Pop() : Error(c, "after object key:value pair");
                default:
                    if (c == (byte)',')
                    {
                        return Go(State.BeginValue);
                    }

                    return c == (byte)']' ? Pop() : Error(c, "after array element");
            }
        }

        private string? Pop()
        {
            _parseState.Pop();
            if (_parseState.Count == 0)
            {
                _state = State.EndTop;
                _endTop = true;
            }
            else
            {
                _state = State.EndValue;
            }

            return null;
        }

        private static string? EndTop(byte c) => IsSpace(c) ? null : Error(c, "after top-level value");

        private string? InString(byte c)
        {
            if (c == (byte)'"')
            {
                return Go(State.EndValue);
            }

            if (c == (byte)'\\')
            {
                return Go(State.InStringEsc);
            }

            return c < 0x20 ? Error(c, "in string literal") : null;
        }

        private string? InStringEsc(byte c) => c switch
        {
            (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' or (byte)'\\' or (byte)'/' or (byte)'"' => Go(State.InString),
            (byte)'u' => Go(State.InStringEscU),
            _ => Error(c, "in string escape code"),
        };
    }
}
