using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Nn.Shell;
using Nn.Tests.Shared;

namespace Nn.Shell.Tests;

/// <summary>
/// FsCheck properties of the readers: random tables written with RFC 4180 quoting read back equal, and random
/// truncations and byte mutations of valid CSV, .npy and .npz files either load or throw <see cref="DataFileException"/>.
/// </summary>
public sealed class DataProperties : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Checks <paramref name="property"/> on <see cref="FuzzCases.Count"/>(<paramref name="maxTest"/>) cases from a fixed seed.</summary>
    private static void Check(Property property, ulong seed, int maxTest) =>
        FsCheck.Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(FuzzCases.Count(maxTest))
                .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(FuzzCases.Seed(seed), 0x9E3779B97F4A7C15UL), FSharpOption<int>.None))),
            property);

    /// <summary>
    /// The most one read may allocate on the managed heap: a few copies of the file and a little more, so a size read from a
    /// damaged header is never trusted before it is checked. (This bound, not a clock, is what catches a blow-up: it does not
    /// depend on the machine's speed.)
    /// </summary>
    private static long Budget(byte[] bytes) => 32L * bytes.Length + (8 << 20);

    /// <summary>Only turns a hang into a failure: a case takes milliseconds.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromMinutes(1);

    /// <summary>A table: some numeric and some text columns (interleaved by <see cref="Text"/>), and how to write it.</summary>
    public sealed record Table(bool[] Text, double[][] Numbers, string[][] Strings, bool Crlf, bool Bom, bool FinalNewline)
    {
        public int Rows => Numbers.Length;

        public override string ToString() =>
            $"cols [{string.Join(",", Text.Select(t => t ? "T" : "N"))}] crlf={Crlf} bom={Bom} final={FinalNewline}\n" +
            string.Join("\n", Enumerable.Range(0, Rows).Select(r =>
                string.Join(" | ", Numbers[r].Select(v => v.ToString("R", CultureInfo.InvariantCulture)).Concat(Strings[r].Select(s => s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))))));

        public byte[] Bytes()
        {
            var eol = Crlf ? "\r\n" : "\n";
            var sb = new StringBuilder();
            sb.Append(string.Join(",", Text.Select((_, c) => Quote($"c,{c}")))).Append(eol);
            for (var r = 0; r < Rows; r++)
            {
                int ni = 0, ti = 0;
                var cells = Text.Select(t => t ? Quote(Strings[r][ti++]) : Numbers[r][ni++].ToString("R", CultureInfo.InvariantCulture));
                sb.Append(string.Join(",", cells));
                if (r < Rows - 1 || FinalNewline) sb.Append(eol);
            }
            return new UTF8Encoding(Bom).GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray();
        }

        // Quote when RFC 4180 requires it, and always for an empty text cell (a line with no characters is skipped).
        private static string Quote(string s) =>
            s.Length == 0 || s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }

    private static readonly Gen<double> Doubles =
        Gen.OneOf(
            from hi in Gen.Choose(int.MinValue, int.MaxValue)
            from lo in Gen.Choose(int.MinValue, int.MaxValue)
            select BitConverter.Int64BitsToDouble(((long)hi << 32) | (uint)lo),
            from n in Gen.Choose(-1000, 1000) select n / 8.0)
        .Where(double.IsFinite);

    private static readonly Gen<string> Strings =
        from parts in Gen.ListOf(Gen.Elements("a", "b", " ", ",", "\"", "\n", "\r\n", "\r", "é", "1.5", "NaN", "\"\""))
        select string.Concat(parts.Take(6));

    private static readonly Gen<Table> Tables =
        from cols in Gen.Choose(1, 5)
        from text in Gen.ArrayOf(Gen.Elements(true, false), cols)
        from rows in Gen.Choose(1, 6)
        from numbers in Gen.ArrayOf(Gen.ArrayOf(Doubles, text.Count(t => !t)), rows)
        from strings in Gen.ArrayOf(Gen.ArrayOf(Strings, text.Count(t => t)), rows)
        from crlf in Gen.Elements(true, false)
        from bom in Gen.Elements(true, false)
        from final in Gen.Elements(true, false)
        select new Table(text, numbers, strings, crlf, bom, final);

    [Fact]
    public void Random_tables_written_with_rfc4180_quoting_read_back_equal()
    {
        Check(Prop.ForAll(Tables.ToArbitrary(), t =>
        {
            var path = _files.Bytes(t.Bytes());
            var f = Csv.Read(path, names => [.. t.Text.Select(x => x ? ColumnKind.Text : ColumnKind.Numeric)]);
            var ok = f.RowCount == t.Rows && f.Columns.SequenceEqual(t.Text.Select((_, c) => $"c,{c}"));
            int ni = 0, ti = 0;
            for (var c = 0; c < t.Text.Length; c++)
            {
                if (t.Text[c])
                {
                    var i = ti++;
                    ok &= f.TextColumn(c).SequenceEqual(t.Strings.Select(r => r[i]));
                }
                else
                {
                    var i = ni++;
                    ok &= f.NumericColumn(c).Select(BitConverter.DoubleToInt64Bits).SequenceEqual(t.Numbers.Select(r => BitConverter.DoubleToInt64Bits(r[i])));
                }
            }
            File.Delete(path);
            return ok;
        }), 0xC5F0001UL, 300);
    }

    /// <summary>A mutation: truncate at a position, or overwrite/insert bytes at positions.</summary>
    public sealed record Mutation(int Kind, int[] Positions, byte[] Bytes)
    {
        public byte[] Apply(byte[] source)
        {
            var b = source.ToList();
            if (b.Count == 0) return [];
            for (var i = 0; i < Positions.Length; i++)
            {
                var p = Positions[i] % (b.Count + 1);
                switch (Kind)
                {
                    case 0: return [.. b.Take(p)];
                    case 1: if (p < b.Count) b[p] = Bytes[i]; break;
                    case 2: b.Insert(p, Bytes[i]); break;
                    default: if (p < b.Count) b.RemoveAt(p); break;
                }
            }
            return [.. b];
        }

        public override string ToString() => $"kind {Kind} at [{string.Join(",", Positions)}] bytes [{string.Join(",", Bytes)}]";
    }

    private static Gen<Mutation> Mutations(byte[] interesting) =>
        from kind in Gen.Choose(0, 3)
        from n in Gen.Choose(1, 4)
        from positions in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), n)
        from bytes in Gen.ArrayOf(Gen.OneOf(Gen.Elements(interesting), Gen.Choose(0, 255).Select(x => (byte)x)), n)
        select new Mutation(kind, positions, bytes);

    private bool LoadsOrFailsCleanly(byte[] bytes, string extension, Action<string> read)
    {
        var path = _files.Bytes(bytes, extension);
        var task = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(path);
                return (Refused: (DataFileException?)null, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (DataFileException e)
            {
                return (Refused: e, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
            }
        });
        try
        {
            Assert.True(task.Wait(Hang), $"reading {bytes.Length} bytes as {extension} hangs");
            var (refused, allocated) = task.Result;
            Assert.True(allocated <= Budget(bytes), $"reading {bytes.Length} bytes as {extension} allocated {allocated} bytes");
            return refused is null || (refused.FilePath == path && refused.Message.StartsWith(path, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly byte[] ValidCsv = Encoding.UTF8.GetBytes(
        "\uFEFFid,name,x,y\r\n1,\"a,b\",0.5,-2e3\r\n2,\"say \"\"hi\"\"\",1.25,7\r\n3,\"two\nlines\",3,4\n4,plain,5,6\n");

    [Fact]
    public void Mutated_csv_files_load_or_throw_a_data_file_exception()
    {
        var interesting = "\",\r\n.e-1 x"u8.ToArray().Append((byte)0xFF).Append((byte)0).ToArray();
        Check(Prop.ForAll(Mutations(interesting).ToArbitrary(), m =>
        {
            var bytes = m.Apply(ValidCsv);
            return LoadsOrFailsCleanly(bytes, ".csv", p => Csv.ReadAllNumeric(p)) &&
                   LoadsOrFailsCleanly(bytes, ".csv", p => Csv.Read(p, names => [.. names.Select(n => n == "name" ? ColumnKind.Text : ColumnKind.Numeric)]));
        }), 0xC5F0002UL, 300);
    }

    /// <summary>A valid little-endian i4 .npy of shape (3, 2), built by hand.</summary>
    private static byte[] ValidNpy()
    {
        var data = new byte[24];
        for (var i = 0; i < 6; i++) BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), i * 1000 - 2500);
        return NpyTests.NpyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }", data);
    }

    [Fact]
    public void Mutated_npy_files_load_or_throw_a_data_file_exception()
    {
        var valid = ValidNpy();
        var interesting = "(),'9{}:LTrue-\n"u8.ToArray().Append((byte)0x93).Append((byte)0xFF).ToArray();
        Check(Prop.ForAll(Mutations(interesting).ToArbitrary(), m =>
            LoadsOrFailsCleanly(m.Apply(valid), ".npy", p => Npy.Read(p)) &&
            LoadsOrFailsCleanly(m.Apply(valid), ".npy", p => Npy.ReadMatrix(p))), 0x4E590001UL, 300);
    }

    [Fact]
    public void Mutated_npz_files_load_or_throw_a_data_file_exception()
    {
        var path = _files.NewPath(".npz");
        Npz.Write(path, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.FromMatrix(Matrix.FromRows([[1.0, 2.0], [3.0, 4.0]])),
            ["y"] = new([3], "<f8", [1.0, 0.0, 1.0]),
        }, compressed: true);
        var valid = File.ReadAllBytes(path);
        Check(Prop.ForAll(Mutations([0, 0xFF, 0x50, 0x4B, 8]).ToArbitrary(), m =>
            LoadsOrFailsCleanly(m.Apply(valid), ".npz", p => Npz.Read(p))), 0x4E5A0001UL, 200);
    }

    /// <summary>Reads <paramref name="path"/> as training data and applies the target checks of <c>--task auto</c>.</summary>
    private static void AsTrainingData(string path, string? labels = null)
    {
        var data = DataSource.ForTraining(path, labels, null);
        data.EncodeTarget(data.InferTask());
    }

    [Fact]
    public void Mutated_files_read_as_training_data_load_or_throw_a_data_file_exception()
    {
        var csv = "a,b,label\n1,0.5,cat\n2,8,\"d\nog\"\n3,7,cat\n4,1e3,\"d,og\"\n"u8.ToArray();
        var npzPath = _files.NewPath(".npz");
        Npz.Write(npzPath, new Dictionary<string, NpyArray>
        {
            ["x"] = NpyArray.FromMatrix(Matrix.FromRows([[1.0, 2.0], [3.0, 4.0]])),
            ["y"] = new([2], "<f8", [1.0, 0.0]),
        }, compressed: true);
        var npz = File.ReadAllBytes(npzPath);
        var labels = _files.Bytes(NpyTests.NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new byte[24]), ".npy");
        var interesting = "\",\r\n.e-1 x(),'9{}:"u8.ToArray().Concat(new byte[] { 0x93, 0xFF, 0xE9, 0xC3, 0, 0x50, 0x4B }).ToArray();
        Check(Prop.ForAll(Mutations(interesting).ToArbitrary(), m =>
            LoadsOrFailsCleanly(m.Apply(csv), ".csv", p => AsTrainingData(p)) &&
            LoadsOrFailsCleanly(m.Apply(ValidNpy()), ".npy", p => AsTrainingData(p, labels)) &&
            LoadsOrFailsCleanly(m.Apply(npz), ".npz", p => AsTrainingData(p))), 0x7D5A0001UL, 200);
    }
}
