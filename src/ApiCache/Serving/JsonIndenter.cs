using System.Buffers;

namespace ApiCache.Serving;

/// <summary>
/// Indents compact JSON as Go's <c>json.Indent(dst, src, "", "  ")</c> does, which is what the
/// apiserver sends to <c>?pretty=true</c> and to curl: a byte-level reformatting that keeps string
/// contents (and their escapes) exactly as they are, writes <c>{}</c>/<c>[]</c> for empty
/// containers and <c>": "</c> after keys. It is streaming: feed the document in any number of
/// pieces (a list's head, each item, its tail) and the state carries across calls.
/// </summary>
internal struct JsonIndenter
{
    private int _depth;
    private bool _inString;
    private bool _escaped;
    private bool _needIndent;

    /// <summary>Reformats <paramref name="compact"/> (a piece of the document) into <paramref name="output"/>.</summary>
    public void Write(ReadOnlySpan<byte> compact, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var start = 0;
        for (var i = 0; i < compact.Length; i++)
        {
            var c = compact[i];
            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                }
                else if (c == '\\')
                {
                    _escaped = true;
                }
                else if (c == '"')
                {
                    _inString = false;
                }

                continue;
            }

            // Outside strings: copy the run so far, then handle the structural byte.
            if (c is not ((byte)'{' or (byte)'[' or (byte)'}' or (byte)']' or (byte)',' or (byte)':' or (byte)'"' or (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                if (_needIndent)
                {
                    output.Write(compact[start..i]);
                    start = i;
                    NewLine(output, _depth);
                    _needIndent = false;
                }

                continue;
            }

            output.Write(compact[start..i]);
            start = i + 1;
            switch (c)
            {
                case (byte)'"':
                    if (_needIndent)
                    {
                        NewLine(output, _depth);
                        _needIndent = false;
                    }

                    output.Write("\""u8);
                    _inString = true;
                    break;
                case (byte)'{' or (byte)'[':
                    if (_needIndent)
                    {
                        NewLine(output, _depth);
                    }

                    output.Write([c]);
                    _depth++;
                    _needIndent = true;
                    break;
                case (byte)'}' or (byte)']':
                    _depth--;
                    if (!_needIndent)
                    {
                        NewLine(output, _depth);
                    }

                    _needIndent = false;
                    output.Write([c]);
                    break;
                case (byte)',':
                    output.Write(","u8);
                    NewLine(output, _depth);
                    break;
                case (byte)':':
                    output.Write(": "u8);
                    break;
                default:
                    // Whitespace between tokens is dropped, as json.Indent does with compact input.
                    break;
            }
        }

        output.Write(compact[start..]);
    }

    private static void NewLine(IBufferWriter<byte> output, int depth)
    {
        var span = output.GetSpan(1 + (2 * depth));
        span[0] = (byte)'\n';
        span.Slice(1, 2 * depth).Fill((byte)' ');
        output.Advance(1 + (2 * depth));
    }
}
