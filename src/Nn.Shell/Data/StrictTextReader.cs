using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Nn.Shell;

/// <summary>
/// Decodes a byte stream into characters, refusing anything that is not valid text: UTF-8 unless the stream starts with a
/// byte-order mark (UTF-8's is skipped; UTF-16 and UTF-32, either byte order, are decoded by theirs). Where the bytes stop
/// being valid, <see cref="Read(Span{char})"/> first returns every character before them and then throws
/// <see cref="InvalidTextException"/>, so a reader of the characters knows the line and field the bad bytes are in.
/// Latin-1 <c>café</c> and <c>cafè</c> are thus refused rather than both read as <c>caf�</c> (one class).
/// </summary>
internal sealed class StrictTextReader(Stream stream) : TextReader
{
    private enum Form { Utf8, Utf16Le, Utf16Be, Utf32Le, Utf32Be }

    private readonly byte[] _bytes = new byte[1 << 16];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _begun;
    private Form _form;
    private char _held;           // the second half of a surrogate pair that did not fit the caller's buffer
    private bool _holding;

    /// <summary>The encoding the stream is read as (known after the first read).</summary>
    public string EncodingName => _form switch
    {
        Form.Utf16Le => "UTF-16LE",
        Form.Utf16Be => "UTF-16BE",
        Form.Utf32Le => "UTF-32LE",
        Form.Utf32Be => "UTF-32BE",
        _ => "UTF-8",
    };

    /// <inheritdoc />
    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    /// <inheritdoc />
    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_holding)
        {
            buffer[0] = _held;
            _holding = false;
            return 1;
        }
        if (!_begun) Begin();
        while (true)
        {
            if (buffer.Length == 1)
            {
                // One character of room: decode into two so that a surrogate pair is never split across calls unseen.
                Span<char> two = stackalloc char[2];
                var got = Decode(two);
                if (got == 0 && !Fill()) return 0;
                if (got == 0) continue;
                buffer[0] = two[0];
                if (got == 2) { _held = two[1]; _holding = true; }
                return 1;
            }
            var n = Decode(buffer);
            if (n > 0) return n;
            if (!Fill()) return 0;
        }
    }

    /// <inheritdoc />
    public override int Peek() => throw new NotSupportedException("StrictTextReader reads forward only in blocks.");

    /// <summary>Decodes what the buffered bytes hold into <paramref name="chars"/>; 0 when more bytes are needed.</summary>
    /// <exception cref="InvalidTextException">When the next bytes are not valid in the stream's encoding.</exception>
    private int Decode(Span<char> chars)
    {
        var bytes = _bytes.AsSpan(_start, _end - _start);
        if (bytes.IsEmpty) return 0;
        switch (_form)
        {
            case Form.Utf8:
            {
                var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false, isFinalBlock: _eof);
                _start += read;
                if (written > 0) return written;
                if (status == OperationStatus.InvalidData) throw Invalid(bytes[read..], 1);
                return 0;
            }
            case Form.Utf16Le or Form.Utf16Be:
                return DecodeUtf16(bytes, chars, _form == Form.Utf16Be);
            default:
                return DecodeUtf32(bytes, chars, _form == Form.Utf32Be);
        }
    }

    private int DecodeUtf16(ReadOnlySpan<byte> bytes, Span<char> chars, bool big)
    {
        int i = 0, w = 0;
        while (w < chars.Length && bytes.Length - i >= 2)
        {
            var u = (char)(big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[i..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[i..]));
            if (char.IsLowSurrogate(u)) { if (w > 0) break; throw Invalid(bytes[i..], 2); }
            if (char.IsHighSurrogate(u))
            {
                if (bytes.Length - i < 4) { if (_eof && w == 0) throw Invalid(bytes[i..], 2); break; }
                var low = (char)(big ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 2)..]) : BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i + 2)..]));
                if (!char.IsLowSurrogate(low)) { if (w > 0) break; throw Invalid(bytes[i..], 4); }
                if (chars.Length - w < 2) break;
                chars[w++] = u;
                chars[w++] = low;
                i += 4;
                continue;
            }
            chars[w++] = u;
            i += 2;
        }
        _start += i;
        if (w == 0 && _eof && bytes.Length - i is > 0 and < 2) throw Invalid(bytes[i..], 1);
        return w;
    }

    private int DecodeUtf32(ReadOnlySpan<byte> bytes, Span<char> chars, bool big)
    {
        int i = 0, w = 0;
        while (w < chars.Length && bytes.Length - i >= 4)
        {
            var v = big ? BinaryPrimitives.ReadUInt32BigEndian(bytes[i..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[i..]);
            if (!Rune.IsValid(v)) { if (w > 0) break; throw Invalid(bytes[i..], 4); }
            var rune = new Rune(v);
            if (chars.Length - w < rune.Utf16SequenceLength) break;
            w += rune.EncodeToUtf16(chars[w..]);
            i += 4;
        }
        _start += i;
        if (w == 0 && _eof && bytes.Length - i is > 0 and < 4) throw Invalid(bytes[i..], bytes.Length - i);
        return w;
    }

    /// <summary>Reads the first bytes and chooses the encoding by the byte-order mark, skipping it.</summary>
    private void Begin()
    {
        _begun = true;
        while (_end < 4 && !_eof) Fill();
        var head = _bytes.AsSpan(0, _end);
        (_form, var skip) = head switch
        {
            [0xEF, 0xBB, 0xBF, ..] => (Form.Utf8, 3),
            [0xFF, 0xFE, 0x00, 0x00, ..] => (Form.Utf32Le, 4),
            [0x00, 0x00, 0xFE, 0xFF, ..] => (Form.Utf32Be, 4),
            [0xFF, 0xFE, ..] => (Form.Utf16Le, 2),
            [0xFE, 0xFF, ..] => (Form.Utf16Be, 2),
            _ => (Form.Utf8, 0),
        };
        _start = skip;
    }

    /// <summary>Keeps the undecoded bytes and reads more after them; false at the end of the stream with nothing left.</summary>
    private bool Fill()
    {
        if (_eof) return false;
        var pending = _end - _start;
        _bytes.AsSpan(_start, pending).CopyTo(_bytes);
        _start = 0;
        _end = pending;
        var n = stream.Read(_bytes, _end, _bytes.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
        return true;
    }

    private InvalidTextException Invalid(ReadOnlySpan<byte> at, int count)
    {
        var shown = at[..Math.Min(Math.Max(count, 1), at.Length)];
        var hex = string.Join(" ", shown.ToArray().Select(b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)));
        var what = shown.Length == 1 ? $"the byte {hex}" : $"the bytes {hex}";
        var hint = _form == Form.Utf8 ? " (Latin-1 or Windows-1252 text?); save the file as UTF-8" : "";
        return new InvalidTextException($"expected {EncodingName} text, found {what}, which {(shown.Length == 1 ? "is" : "are")} not valid {EncodingName} here{hint}.");
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) stream.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Bytes that are not valid text in the stream's encoding; the reader of the characters adds the line and field.</summary>
internal sealed class InvalidTextException(string expected) : Exception(expected);
