using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Nn.Shell;

namespace Nn.Shell.Tests;

/// <summary>The RFC 4180 reader: structure, numbers, line numbers and every error with its message.</summary>
public sealed class CsvTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static Func<ImmutableArray<string>, ImmutableArray<ColumnKind>> Kinds(params ColumnKind[] kinds) => _ => [.. kinds];

    private static readonly ColumnKind N = ColumnKind.Numeric, T = ColumnKind.Text, S = ColumnKind.Skip;

    // ---- structure ----

    [Fact]
    public void Reads_a_numeric_file_into_columns_and_a_matrix()
    {
        var path = _files.Text("a, b ,c\n1,2,3\n4.5,-6e-3,7\n");
        var f = Csv.ReadAllNumeric(path);
        Assert.Equal(path, f.Path);
        Assert.Equal(["a", "b", "c"], f.Columns.ToArray());
        Assert.Equal([N, N, N], f.Kinds.ToArray());
        Assert.Equal(2, f.RowCount);
        Assert.Equal([2.0, -6e-3], f.NumericColumn(1));
        Assert.Equal(Matrix.FromRows([[3.0, 1.0, 1.0], [7.0, 4.5, 4.5]]), f.NumericMatrix([2, 0, 0]));
        Assert.Equal(1, f.IndexOf("b"));
        Assert.Equal(-1, f.IndexOf("B"));
        Assert.Equal([2, 3], new[] { f.LineOf(0), f.LineOf(1) });
    }

    [Fact]
    public void Numeric_column_is_a_copy()
    {
        var f = Csv.ReadAllNumeric(_files.Text("a\n1\n2\n"));
        var col = f.NumericColumn(0);
        col[0] = 99;
        Assert.Equal([1.0, 2.0], f.NumericColumn(0));
    }

    [Fact]
    public void Plan_sees_the_trimmed_header_and_chooses_kinds()
    {
        ImmutableArray<string> seen = default;
        var path = _files.Text("id,name , x,junk\n1,ada,0.5,anything at all\n2,,1.5,\"x,y\"\n");
        var f = Csv.Read(path, names => { seen = names; return [N, T, N, S]; });
        Assert.Equal(["id", "name", "x", "junk"], seen.ToArray());
        Assert.Equal(["ada", ""], f.TextColumn(1).ToArray());
        Assert.Equal(Matrix.FromRows([[1.0, 0.5], [2.0, 1.5]]), f.NumericMatrix([0, 2]));
        Assert.Throws<ArgumentException>(() => f.NumericColumn(1));
        Assert.Throws<ArgumentException>(() => f.NumericColumn(3));
        Assert.Throws<ArgumentException>(() => f.TextColumn(0));
        Assert.Throws<ArgumentException>(() => f.TextColumn(4));
        Assert.Throws<ArgumentException>(() => f.NumericMatrix([0, 1]));
        Assert.Throws<ArgumentException>(() => f.NumericMatrix([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => f.LineOf(2));
    }

    [Fact]
    public void Text_columns_accept_anything_including_empty_and_quotes()
    {
        var path = _files.Text("t,x\n,1\n\"\",2\nNaN,3\n\" spaced \",4\n\"a \"\"b\"\"\",5\n");
        var f = Csv.Read(path, Kinds(T, N));
        Assert.Equal(["", "", "NaN", " spaced ", "a \"b\""], f.TextColumn(0).ToArray());
    }

    [Fact]
    public void Plan_errors_propagate_and_a_wrong_count_of_kinds_is_an_argument_error()
    {
        var path = _files.Text("a,b\n1,2\n");
        Errors.At(() => Csv.Read(path, _ => throw new DataFileException(path, 1, 0, "expected a column 'y'.")), path, 1, 0, "'y'");
        Assert.Throws<ArgumentException>(() => Csv.Read(path, Kinds(N)));
    }

    [Fact]
    public void Quoted_fields_hold_commas_doubled_quotes_and_line_breaks()
    {
        var path = _files.Text("name,x\n\"a,b\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n\"crlf\r\ninside\",4\nplain,5\n");
        var f = Csv.Read(path, Kinds(T, N));
        Assert.Equal(["a,b", "say \"hi\"", "two\nlines", "crlf\r\ninside", "plain"], f.TextColumn(0).ToArray());
        Assert.Equal([1.0, 2, 3, 4, 5], f.NumericColumn(1));
        Assert.Equal([2, 3, 4, 6, 8], Enumerable.Range(0, 5).Select(f.LineOf));
    }

    [Fact]
    public void Quoted_numbers_and_header_names_are_read()
    {
        var f = Csv.ReadAllNumeric(_files.Text("\"a,1\",\"b\"\n\"1.5\",\" 2 \"\n"));
        Assert.Equal(["a,1", "b"], f.Columns.ToArray());
        Assert.Equal(Matrix.FromRows([[1.5, 2.0]]), f.NumericMatrix([0, 1]));
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,4\n", false)]
    [InlineData("a,b\n1,2\n3,4", false)]
    [InlineData("a,b\r\n1,2\r\n3,4\r\n", false)]
    [InlineData("a,b\r\n1,2\r\n3,4", false)]
    [InlineData("a,b\r1,2\r3,4\r", false)]
    [InlineData("a,b\n1,2\n3,4\n", true)]
    [InlineData("a,b\r\n1,2\r\n3,4\r\n", true)]
    [InlineData("a,b\n1,2\n3,4\n\n\n", false)]
    public void Line_endings_bom_and_final_newline_do_not_change_the_data(string text, bool bom)
    {
        var bytes = new UTF8Encoding(bom).GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray();
        var f = Csv.ReadAllNumeric(_files.Bytes(bytes));
        Assert.Equal(["a", "b"], f.Columns.ToArray());
        Assert.Equal(Matrix.FromRows([[1.0, 2.0], [3.0, 4.0]]), f.NumericMatrix([0, 1]));
        Assert.Equal([2, 3], new[] { f.LineOf(0), f.LineOf(1) });
    }

    [Fact]
    public void Blank_lines_are_skipped_and_line_numbers_stay_physical()
    {
        var f = Csv.ReadAllNumeric(_files.Text("\n\na\n1\n\n\r\n2\n"));
        Assert.Equal([1.0, 2.0], f.NumericColumn(0));
        Assert.Equal([4, 7], new[] { f.LineOf(0), f.LineOf(1) });
    }

    [Fact]
    public void A_trailing_comma_is_an_empty_last_field()
    {
        var f = Csv.Read(_files.Text("x,t\n1,\n2,"), Kinds(N, T));
        Assert.Equal(["", ""], f.TextColumn(1).ToArray());
        Assert.Equal(2, f.RowCount);
    }

    [Fact]
    public void Numbers_round_trip_bit_exactly()
    {
        var rng = new Random(1234);
        var special = new[] { 0.0, -0.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-308, 2.2250738585072014E-308, 0.1, 1.0 / 3, Math.PI };
        var values = special.Concat(Enumerable.Range(0, 500).Select(_ => BitConverter.Int64BitsToDouble(rng.NextInt64())).Where(double.IsFinite)).ToArray();
        var text = "v\n" + string.Concat(values.Select(v => v.ToString("R", CultureInfo.InvariantCulture) + "\n"));
        var read = Csv.ReadAllNumeric(_files.Text(text)).NumericColumn(0);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), read.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData("-0")]
    [InlineData("007")]
    [InlineData("999999999999999")]
    [InlineData("-9999999999999999")]
    [InlineData("12345678901234567890")]
    [InlineData(" 42 ")]
    [InlineData("+5")]
    public void Integer_cells_parse_exactly_as_double_parse_does(string cell)
    {
        var read = Csv.ReadAllNumeric(_files.Text($"v\n{cell}\n")).NumericColumn(0)[0];
        Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(cell, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(read));
    }

    [Theory]
    [InlineData("-")]
    [InlineData("1-2")]
    [InlineData("0x10")]
    public void Almost_integers_are_errors(string cell)
    {
        var path = _files.Text($"v\n{cell}\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 2, 1, $"expected a number in column 'v', found '{cell}'.");
    }

    [Fact]
    public void Reads_a_generated_file_of_2000_rows()
    {
        var sb = new StringBuilder("id,label,x1,x2,x3\r\n");
        for (var i = 0; i < 2000; i++)
            sb.Append(CultureInfo.InvariantCulture, $"{i},\"row {i}, {(i % 7 == 0 ? "with\nbreak" : "plain")}\",{i * 0.5},{-i},{i % 3}e{i % 5}\r\n");
        var f = Csv.Read(_files.Text(sb.ToString()), Kinds(N, T, N, N, N));
        Assert.Equal(2000, f.RowCount);
        var x = f.NumericMatrix([0, 2, 3, 4]);
        var line = 2;
        for (var i = 0; i < 2000; i++)
        {
            Assert.Equal([i, i * 0.5, -i, (i % 3) * Math.Pow(10, i % 5)], x.Row(i).ToArray());
            Assert.Equal(line, f.LineOf(i));
            line += i % 7 == 0 ? 2 : 1;
        }
        Assert.Equal("row 1999, plain", f.TextColumn(1)[^1]);
    }

    [Fact]
    public void Numeric_csv_reads_through_the_new_reader()
    {
        var table = NumericCsv.Read(_files.Text("a,b\r\n1,2\r\n3,4\r\n"));
        Assert.Equal(["a", "b"], table.Columns.ToArray());
        Assert.Equal(Matrix.FromRows([[1.0, 2.0], [3.0, 4.0]]), table.Values);
    }

    // ---- errors, each with its message ----

    [Fact]
    public void Missing_file()
    {
        var path = _files.NewPath(".csv");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 0, 0, "file not found");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\r\n\n")]
    public void Empty_file(string text)
    {
        var path = _files.Text(text);
        Errors.At(() => Csv.ReadAllNumeric(path), path, 1, 1, "expected a header row, found an empty file");
    }

    [Fact]
    public void Header_only()
    {
        var path = _files.Text("a,b\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 2, 1, "expected data rows after the header, found none");
    }

    [Fact]
    public void Too_few_fields()
    {
        var path = _files.Text("a,b,c\n1,2,3\n4,5\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 3, 3, "expected 3 fields as in the header, found 2");
    }

    [Fact]
    public void Too_many_fields()
    {
        var path = _files.Text("a,b\n1,2\n3,4,5,6\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 3, 3, "expected 2 fields as in the header, found 4");
    }

    [Fact]
    public void Non_numeric_cell_names_the_column()
    {
        var path = _files.Text("a,b\n1,2\n3,abc\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 3, 2, "expected a number in column 'b', found 'abc'.");
    }

    [Theory]
    [InlineData("3,\n")]
    [InlineData("3,   \n")]
    [InlineData("3,\"\"\n")]
    public void Empty_numeric_cell(string row)
    {
        var path = _files.Text("a,b\n" + row);
        Errors.At(() => Csv.ReadAllNumeric(path), path, 2, 2, "expected a number in column 'b', found an empty field");
    }

    [Theory]
    [InlineData("NaN", "found 'NaN'.")]
    [InlineData("Infinity", "found 'Infinity'.")]
    [InlineData("-Infinity", "found '-Infinity'.")]
    [InlineData("1e400", "found '1e400' (beyond the range of a double)")]
    [InlineData("-1e309", "found '-1e309' (beyond the range of a double)")]
    public void Non_finite_numbers(string cell, string found)
    {
        var path = _files.Text($"a,b\n1,2\n{cell},3\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 3, 1, "expected a finite number in column 'a'", found);
    }

    [Fact]
    public void Decimal_comma_in_quotes_gets_a_hint()
    {
        var path = _files.Text("a,b\n1,\"1,5\"\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 2, 2, "expected a number in column 'b', found '1,5'; use '.' as the decimal separator");
    }

    [Fact]
    public void Duplicate_header_names()
    {
        var path = _files.Text("a,b, a\n1,2,3\n");
        Errors.At(() => Csv.ReadAllNumeric(path), path, 1, 3, "expected distinct column names, found 'a' again (first in field 1)");
    }

    [Theory]
    [InlineData("a,,c\n1,2,3\n", 2)]
    [InlineData("a, ,c\n1,2,3\n", 2)]
    [InlineData("a,b,\n1,2,3\n", 3)]
    public void Blank_header_names(string text, int field)
    {
        var path = _files.Text(text);
        Errors.At(() => Csv.ReadAllNumeric(path), path, 1, field, $"expected a column name in header field {field}, found an empty one");
    }

    [Fact]
    public void Unterminated_quoted_field_points_at_its_start()
    {
        var path = _files.Text("a,t\n1,x\n2,\"never\nclosed\n");
        Errors.At(() => Csv.Read(path, Kinds(N, T)), path, 3, 2, "expected a closing quote for the quoted field that starts here, found the end of the file");
    }

    [Fact]
    public void Quote_inside_an_unquoted_field()
    {
        var path = _files.Text("a,t\n1,ab\"c\"\n");
        Errors.At(() => Csv.Read(path, Kinds(N, T)), path, 2, 2, "found a quote inside an unquoted field");
    }

    [Fact]
    public void Text_after_a_closing_quote()
    {
        var path = _files.Text("a,t\n1,\"ab\"c\n");
        Errors.At(() => Csv.Read(path, Kinds(N, T)), path, 2, 2, "expected ',' or the end of the line after the closing quote, found 'c'");
    }

    [Fact]
    public void Errors_after_a_multi_line_field_report_physical_lines()
    {
        var path = _files.Text("t,x\n\"a\nb\nc\",1\nok,zz\n");
        Errors.At(() => Csv.Read(path, Kinds(T, N)), path, 5, 2, "found 'zz'");
        var path2 = _files.Text("t,x\n\"a\nb\",oops\n");
        Errors.At(() => Csv.Read(path2, Kinds(T, N)), path2, 3, 2, "found 'oops'");
    }

    [Fact]
    public void Records_longer_than_the_cap_are_rejected()
    {
        var path = _files.Text("a,t\n1,ok\n2,\"" + new string('x', Csv.MaxRecordLength + 10) + "\"\n");
        Errors.At(() => Csv.Read(path, Kinds(N, T)), path, 3, 2, $"expected a record of at most {Csv.MaxRecordLength} characters", "is a quote unbalanced?");
    }

    [Fact]
    public void Long_but_legal_fields_span_buffer_refills()
    {
        var big = string.Concat(Enumerable.Repeat("ab,\"\n", 40_000));
        var quoted = "\"" + big.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var f = Csv.Read(_files.Text($"t,x\n{quoted},1\nshort,2\n"), Kinds(T, N));
        Assert.Equal(big, f.TextColumn(0)[0]);
        Assert.Equal(2 + 40_000 + 1, f.LineOf(1));
    }
}
