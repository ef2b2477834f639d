using System.Buffers;
using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// A streaming RFC 4180 record reader: one record at a time into a reused character buffer, with each field's span
/// and the physical line it starts on. Quoted fields may hold commas, doubled quotes and line breaks; records end
/// at LF, CRLF or a lone CR; lines with no characters at all are skipped. Every malformation is a
/// <see cref="DataFileException"/> at the 1-based line and field number where it occurs.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private static readonly SearchValues<char> UnquotedStops = SearchValues.Create(",\r\n\"");
    private static readonly SearchValues<char> QuotedStops = SearchValues.Create("\"\r\n");
    private static readonly SearchValues<char> LineStops = SearchValues.Create("\"\r\n");

    private readonly string _path;
    private readonly TextReader _reader;
    private readonly int _maxRecordChars;
    private readonly bool _plainLines;
    private readonly char[] _buffer = new char[1 << 16];
    private int _pos;
    private int _len;
    private int _line = 1;

    private char[] _record = new char[1024];
    private int _recordLength;
    private int[] _starts = new int[64];
    private int[] _ends = new int[64];
    private int[] _lines = new int[64];
    private bool[] _quoted = new bool[64];

    /// <summary>
    /// Opens <paramref name="path"/> as strict UTF-8 (a BOM is skipped; a UTF-16 or UTF-32 BOM selects that encoding; see
    /// <see cref="StrictTextReader"/>); records may hold at most <paramref name="maxRecordChars"/> characters.
    /// </summary>
    public CsvReader(string path, int maxRecordChars)
        : this(path, new StrictTextReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16)), maxRecordChars)
    {
    }

    /// <summary>
    /// Reads records from <paramref name="reader"/>; <paramref name="path"/> only names the source in errors. Text a
    /// <see cref="StrictTextReader"/> refuses is reported at the line and field where its bad bytes are.
    /// </summary>
    public CsvReader(string path, TextReader reader, int maxRecordChars)
        : this(path, reader, maxRecordChars, plainLines: true)
    {
    }

    /// <summary>
    /// As above; <paramref name="plainLines"/> false reads every record field by field (the reference the one-pass path
    /// for plain lines is tested against: same fields, lines and errors).
    /// </summary>
    internal CsvReader(string path, TextReader reader, int maxRecordChars, bool plainLines)
    {
        _path = path;
        _reader = reader;
        _maxRecordChars = maxRecordChars;
        _plainLines = plainLines;
    }

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>The physical line (1-based) on which the current record starts.</summary>
    public int RecordLine { get; private set; }

    /// <summary>The physical line on which the current record's last character was read (past its quoted line breaks).</summary>
    public int NextLine => _line;

    /// <summary>Field <paramref name="i"/> (0-based) of the current record, quotes removed and <c>""</c> unescaped.</summary>
    public ReadOnlySpan<char> Field(int i) => _record.AsSpan(_starts[i], _ends[i] - _starts[i]);

    /// <summary>The physical line on which field <paramref name="i"/> starts.</summary>
    public int FieldLine(int i) => _lines[i];

    /// <summary>Whether field <paramref name="i"/> was enclosed in quotes.</summary>
    public bool FieldQuoted(int i) => _quoted[i];

    /// <summary>Reads the next non-blank record; false at the end of the file.</summary>
    public bool Read()
    {
        _recordLength = 0;
        FieldCount = 0;
        while (true)
        {
            if (!HasData()) return false;
            var c = _buffer[_pos];
            if (c == '\n') { _pos++; _line++; }
            else if (c == '\r') { _pos++; SkipLf(); _line++; }
            else break;
        }
        RecordLine = _line;
        if (_plainLines && TryReadPlainLine()) return true;
        while (true)
        {
            BeginField();
            if (_buffer[_pos] == '"')
            {
                _pos++;
                if (ReadQuotedRest()) return true;
            }
            else if (ReadUnquotedRest()) return true;
            if (!HasData())
            {
                // A trailing comma at the very end of the file: one more, empty field.
                BeginField();
                EndField(false);
                return true;
            }
        }
    }

    /// <summary>
    /// The common case in one pass: a record on one line with no quote, wholly in the buffer (the buffer is compacted and
    /// topped up to bring it in). One search finds the line's end, one copy moves it, one scan finds the commas. Anything
    /// else (a quote anywhere in the line, a line longer than the buffer, the end of the file, text that cannot be
    /// decoded) returns false with nothing consumed, and the field-by-field path reads the record, errors and all.
    /// </summary>
    private bool TryReadPlainLine()
    {
        int end;
        while (true)
        {
            end = _buffer.AsSpan(_pos, _len - _pos).IndexOfAny(LineStops);
            if (end >= 0) break;
            if ((_pos == 0 && _len == _buffer.Length) || !TopUp()) return false;
        }
        var line = _buffer.AsSpan(_pos, end);
        if (_buffer[_pos + end] == '"' || end > _maxRecordChars) return false;   // the other path says where it fails
        Append(line);
        var start = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] != ',') continue;
            PlainField(start, i);
            start = i + 1;
        }
        PlainField(start, line.Length);
        _pos += end + 1;
        if (_buffer[_pos - 1] == '\r') SkipLf();
        _line++;
        return true;
    }

    private void PlainField(int start, int end)
    {
        if (FieldCount == _starts.Length) Grow();
        _starts[FieldCount] = start;
        _ends[FieldCount] = end;
        _lines[FieldCount] = _line;
        _quoted[FieldCount] = false;
        FieldCount++;
    }

    /// <summary>Moves the unread characters to the buffer's start and reads more after them; false if none came.</summary>
    private bool TopUp()
    {
        var kept = _len - _pos;
        _buffer.AsSpan(_pos, kept).CopyTo(_buffer);
        (_pos, _len) = (0, kept);
        int n;
        try { n = _reader.Read(_buffer, kept, _buffer.Length - kept); }
        catch (InvalidTextException) { return false; }   // the field-by-field path meets it again, at its field
        _len += n;
        return n > 0;
    }

    /// <summary>Reads the rest of an unquoted field; true when the record ended with it.</summary>
    private bool ReadUnquotedRest()
    {
        while (true)
        {
            if (!HasData()) { EndField(false); return true; }
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var i = span.IndexOfAny(UnquotedStops);
            if (i < 0) { Append(span); _pos = _len; continue; }
            Append(span[..i]);
            _pos += i;
            var c = _buffer[_pos];
            if (c == '"')
                throw Error(_line, FieldCount + 1,
                    "found a quote inside an unquoted field; enclose the whole field in quotes and double any quote inside it (\"\").");
            _pos++;
            EndField(false);
            if (c == ',') return false;
            if (c == '\r') SkipLf();
            _line++;
            return true;
        }
    }

    /// <summary>Reads a quoted field after its opening quote, and the separator after it; true when the record ended.</summary>
    private bool ReadQuotedRest()
    {
        var openLine = _line;
        while (true)
        {
            if (!HasData())
                throw Error(openLine, FieldCount + 1, "expected a closing quote for the quoted field that starts here, found the end of the file.");
            var span = _buffer.AsSpan(_pos, _len - _pos);
            var i = span.IndexOfAny(QuotedStops);
            if (i < 0) { Append(span); _pos = _len; continue; }
            Append(span[..i]);
            _pos += i;
            var c = _buffer[_pos++];
            if (c == '\n') { Append('\n'); _line++; continue; }
            if (c == '\r')
            {
                Append('\r');
                if (HasData() && _buffer[_pos] == '\n') { Append('\n'); _pos++; }
                _line++;
                continue;
            }
            if (HasData() && _buffer[_pos] == '"') { Append('"'); _pos++; continue; }
            break;
        }
        EndField(true);
        if (!HasData()) return true;
        var next = _buffer[_pos];
        if (next == ',') { _pos++; return false; }
        if (next is '\n' or '\r')
        {
            _pos++;
            if (next == '\r') SkipLf();
            _line++;
            return true;
        }
        throw Error(_line, FieldCount, $"expected ',' or the end of the line after the closing quote, found '{Printable(next)}'.");
    }

    private void BeginField()
    {
        if (FieldCount == _starts.Length) Grow();
        _starts[FieldCount] = _recordLength;
        _lines[FieldCount] = _line;
    }

    private void Grow()
    {
        var n = _starts.Length * 2;
        Array.Resize(ref _starts, n);
        Array.Resize(ref _ends, n);
        Array.Resize(ref _lines, n);
        Array.Resize(ref _quoted, n);
    }

    private void EndField(bool quoted)
    {
        _ends[FieldCount] = _recordLength;
        _quoted[FieldCount] = quoted;
        FieldCount++;
    }

    private void Append(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        Reserve(chars.Length);
        chars.CopyTo(_record.AsSpan(_recordLength));
        _recordLength += chars.Length;
    }

    private void Append(char c)
    {
        Reserve(1);
        _record[_recordLength++] = c;
    }

    private void Reserve(int extra)
    {
        var needed = (long)_recordLength + extra;
        if (needed > _maxRecordChars)
            throw Error(RecordLine, FieldCount + 1, string.Create(CultureInfo.InvariantCulture,
                $"expected a record of at most {_maxRecordChars} characters, found a longer one starting on this line (is a quote unbalanced?)."));
        if (needed > _record.Length)
            Array.Resize(ref _record, (int)Math.Min(Math.Max(needed, 2L * _record.Length), _maxRecordChars));
    }

    private void SkipLf()
    {
        if (HasData() && _buffer[_pos] == '\n') _pos++;
    }

    private bool HasData()
    {
        if (_pos < _len) return true;
        try { _len = _reader.Read(_buffer, 0, _buffer.Length); }
        catch (InvalidTextException e) { throw Error(_line, FieldCount + 1, e.Message); }
        _pos = 0;
        return _len > 0;
    }

    private DataFileException Error(int line, int field, string expected) => new(_path, line, field, expected);

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString();

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();
}
