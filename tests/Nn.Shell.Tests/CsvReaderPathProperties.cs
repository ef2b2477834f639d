using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Nn.Shell;
using Nn.Tests.Shared;

namespace Nn.Shell.Tests;

/// <summary>
/// The reader's one-pass path for plain lines (no quote, whole in the buffer) against its field-by-field path: on random
/// text made of CSV's special characters, delivered in random chunk sizes (so lines straddle reads), both give the same
/// records, fields, quote flags and lines, and the same error at the same place.
/// </summary>
public sealed class CsvReaderPathProperties
{
    /// <summary>A text reader that hands out at most the next chunk size per call, cycling through the sizes.</summary>
    private sealed class ChunkedReader(string text, int[] chunks) : TextReader
    {
        private int _pos;
        private int _call;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, chunks[_call++ % chunks.Length]), text.Length - _pos);
            text.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            return n;
        }
    }

    /// <summary>Every record as text (fields with their line and quote flag), then the error, if any.</summary>
    private static string Records(string text, int[] chunks, bool plainLines, int maxRecord)
    {
        var sb = new StringBuilder();
        using var reader = new CsvReader("t.csv", new ChunkedReader(text, chunks), maxRecord, plainLines);
        try
        {
            while (reader.Read())
            {
                sb.Append('@').Append(reader.RecordLine).Append(':');
                for (var i = 0; i < reader.FieldCount; i++)
                    sb.Append('[').Append(reader.Field(i)).Append('|').Append(reader.FieldLine(i)).Append(reader.FieldQuoted(i) ? "q" : "").Append(']');
                sb.Append(" next ").Append(reader.NextLine).Append('\n');
            }
        }
        catch (DataFileException e)
        {
            sb.Append("error ").Append(e.Message);
        }
        return sb.ToString();
    }

    private static readonly Gen<string> Texts =
        from parts in Gen.ListOf(Gen.Elements("a", "12", ",", ",", "\"", "\"\"", "\r", "\n", "\r\n", "\n", "é", " ", "0.5"))
        select string.Concat(parts);

    private static readonly Gen<int[]> Chunks = Gen.ArrayOf(Gen.Choose(1, 9)).Where(c => c.Length > 0);

    [Fact]
    public void The_plain_line_path_reads_what_the_field_by_field_path_reads()
    {
        var property = Prop.ForAll(Texts.ToArbitrary(), Chunks.ToArbitrary(), Gen.Elements(8, 64, 1 << 20).ToArbitrary(),
            (text, chunks, max) => Records(text, chunks, true, max) == Records(text, chunks, false, max));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(FuzzCases.Count(2000))
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(FuzzCases.Seed(0xC5F0101UL), 0x9E3779B97F4A7C15UL), FSharpOption<int>.None))),
            property);
    }

    [Fact]
    public void Lines_longer_than_the_buffer_and_lines_across_its_end_read_alike_on_both_paths()
    {
        // 64 Ki characters of buffer: a 70,000-character line cannot be held whole; short lines around it fall across
        // the buffer's end at many offsets.
        var sb = new StringBuilder("x,y\n");
        for (var i = 0; i < 3000; i++) sb.Append(i).Append(',').Append(i % 7 == 0 ? "\"q\"" : "v").Append(i % 3 == 0 ? "\r\n" : "\n");
        sb.Append(new string('7', 70_000)).Append(",z\n");
        for (var i = 0; i < 3000; i++) sb.Append(i).Append(",w\n");
        var text = sb.ToString();
        var plain = Records(text, [65536], true, 1 << 20);
        Assert.Equal(Records(text, [65536], false, 1 << 20), plain);
        Assert.Equal(6002, plain.Count(c => c == '@'));
        Assert.Equal(Records(text, [1000, 77], false, 1 << 20), Records(text, [1000, 77], true, 1 << 20));
    }
}
