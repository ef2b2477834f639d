using System.Collections.Immutable;
using System.Globalization;

namespace Nn.Shell;

/// <summary>An element type of a .npy file: its kind (f, i, u, b), size in bytes and byte order.</summary>
internal readonly record struct NpyDtype(char Kind, int Size, bool BigEndian)
{
    /// <summary>Parses a NumPy descr such as <c>&lt;f8</c>, <c>|u1</c> or <c>&gt;i4</c>; null when unsupported.</summary>
    public static NpyDtype? Parse(string descr)
    {
        if (descr.Length != 3) return null;
        var order = descr[0];
        var kind = descr[1];
        if (descr[2] is < '1' or > '8') return null;
        var size = descr[2] - '0';
        var known = kind switch
        {
            'f' => size is 2 or 4 or 8,
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'b' => size == 1,
            _ => false,
        };
        if (!known) return null;
        bool big;
        switch (order)
        {
            case '<': big = false; break;
            case '>': big = true; break;
            case '=': big = !BitConverter.IsLittleEndian; break;
            case '|' when size == 1: big = false; break;
            default: return null;
        }
        return new NpyDtype(kind, size, big);
    }
}

/// <summary>The parsed header dictionary of a .npy file.</summary>
internal sealed record NpyHeader(string Descr, NpyDtype Dtype, bool FortranOrder, ImmutableArray<int> Shape, long Count)
{
    /// <summary>The supported dtypes, for error messages.</summary>
    public const string Supported =
        "f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8 or b1, with byte order '<', '>' or '|'";

    /// <summary>Parses the header text, e.g. <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c>.</summary>
    /// <exception cref="FormatException">With what was expected, when the text is not such a dictionary.</exception>
    public static NpyHeader Parse(string text)
    {
        var parser = new Literal(text);
        var value = parser.Value(0);
        parser.End();
        if (value is not Dictionary<string, object?> dict)
            throw new FormatException($"expected the header to be a Python dict, found {Describe(value)}.");
        var keys = dict.Keys.Order(StringComparer.Ordinal).ToList();
        if (!keys.SequenceEqual(["descr", "fortran_order", "shape"]))
            throw new FormatException($"expected the header keys 'descr', 'fortran_order' and 'shape', found {string.Join(", ", keys.Select(k => $"'{k}'"))}.");

        if (dict["descr"] is not string descr)
            throw new FormatException($"expected 'descr' to be a dtype string such as '<f8', found {Describe(dict["descr"])} (structured dtypes are not supported).");
        var dtype = NpyDtype.Parse(descr) ?? throw new FormatException($"unsupported dtype '{descr}'; expected {Supported}.");
        if (dict["fortran_order"] is not bool fortran)
            throw new FormatException($"expected 'fortran_order' to be True or False, found {Describe(dict["fortran_order"])}.");
        if (dict["shape"] is not List<object?> dims || dims.Any(d => d is not long))
            throw new FormatException($"expected 'shape' to be a tuple of integers, found {Describe(dict["shape"])}.");

        var shape = new int[dims.Count];
        long count = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            var d = (long)dims[i]!;
            if (d is < 0 or > int.MaxValue)
                throw new FormatException($"expected dimensions in [0, {int.MaxValue}], found {d.ToString(CultureInfo.InvariantCulture)} in 'shape'.");
            shape[i] = (int)d;
            try { count = checked(count * d); }
            catch (OverflowException) { count = long.MaxValue; }
        }
        if (count > Array.MaxLength)
            throw new FormatException($"expected at most {Array.MaxLength} elements, found a shape {NpyArray.ShapeText(shape)} with more.");
        return new NpyHeader(descr, dtype, fortran, [.. shape], count);
    }

    private static string Describe(object? v) => v switch
    {
        null => "None",
        string s => $"the string '{s}'",
        bool b => b ? "True" : "False",
        long n => $"the number {n.ToString(CultureInfo.InvariantCulture)}",
        List<object?> => "a tuple or list",
        Dictionary<string, object?> => "a dict",
        _ => v.GetType().Name,
    };

    /// <summary>A recursive-descent reader of the Python literals a .npy header may hold.</summary>
    private sealed class Literal(string text)
    {
        private const int MaxDepth = 16;
        private int _pos;

        public object? Value(int depth)
        {
            if (depth > MaxDepth) throw Fail("at most 16 levels of nesting");
            Skip();
            if (_pos >= text.Length) throw Fail("a value");
            var c = text[_pos];
            switch (c)
            {
                case '{': return Dict(depth);
                case '(': return Sequence(')', depth);
                case '[': return Sequence(']', depth);
                case '\'' or '"': return String();
            }
            if (c == '-' || char.IsAsciiDigit(c)) return Integer();
            if (Word("True")) return true;
            if (Word("False")) return false;
            if (Word("None")) return null;
            throw Fail("a value");
        }

        public void End()
        {
            Skip();
            if (_pos < text.Length) throw Fail("the end of the header");
        }

        private Dictionary<string, object?> Dict(int depth)
        {
            _pos++;
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                Skip();
                if (Take('}')) return d;
                var keyAt = _pos;
                if (Value(depth + 1) is not string key) { _pos = keyAt; throw Fail("a string key"); }
                Skip();
                if (!Take(':')) throw Fail("':'");
                if (!d.TryAdd(key, Value(depth + 1))) { _pos = keyAt; throw Fail($"distinct keys, not '{key}' twice"); }
                Skip();
                if (Take('}')) return d;
                if (!Take(',')) throw Fail("',' or '}'");
            }
        }

        private List<object?> Sequence(char close, int depth)
        {
            _pos++;
            var items = new List<object?>();
            while (true)
            {
                Skip();
                if (Take(close)) return items;
                items.Add(Value(depth + 1));
                Skip();
                if (Take(close)) return items;
                if (!Take(',')) throw Fail($"',' or '{close}'");
            }
        }

        private string String()
        {
            var quote = text[_pos++];
            var start = _pos;
            var sb = new System.Text.StringBuilder();
            while (_pos < text.Length && text[_pos] != quote)
            {
                if (text[_pos] == '\\' && _pos + 1 < text.Length) _pos++;
                sb.Append(text[_pos++]);
            }
            if (_pos >= text.Length) { _pos = start - 1; throw Fail("a closing quote for the string that starts"); }
            _pos++;
            return sb.ToString();
        }

        private long Integer()
        {
            var start = _pos;
            if (text[_pos] == '-') _pos++;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
            var digits = text.AsSpan(start, _pos - start);
            if (_pos < text.Length && text[_pos] is 'L' or 'l') _pos++; // Python 2 long
            if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            {
                _pos = start;
                throw Fail("an integer that fits in 64 bits");
            }
            return n;
        }

        private bool Word(string w)
        {
            if (string.CompareOrdinal(text, _pos, w, 0, w.Length) != 0) return false;
            var end = _pos + w.Length;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_')) return false;
            _pos = end;
            return true;
        }

        private bool Take(char c)
        {
            if (_pos < text.Length && text[_pos] == c) { _pos++; return true; }
            return false;
        }

        private void Skip()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private FormatException Fail(string expected)
        {
            var found = _pos >= text.Length ? "the end of the header" : $"'{Snippet()}'";
            return new FormatException($"malformed header: expected {expected} at character {_pos + 1}, found {found}.");
        }

        private string Snippet()
        {
            var s = text.AsSpan(_pos, Math.Min(12, text.Length - _pos)).ToString();
            return string.Concat(s.Select(ch => char.IsControl(ch) ? $"\\x{(int)ch:x2}" : ch.ToString()));
        }
    }
}
