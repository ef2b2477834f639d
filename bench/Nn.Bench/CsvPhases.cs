using System.Diagnostics;
using System.Globalization;
using Nn.Shell;

namespace Nn.Bench;

/// <summary>
/// `quick 1 csvphases [path]`: where the CSV reader's time goes, each layer timed on its own over the same file (bytes;
/// bytes + SHA-256; strict decoding; records; records + numbers; the whole <see cref="DataSource.ForTraining"/>).
/// </summary>
internal static class CsvPhases
{
    public static void Run(string path)
    {
        var phases = new (string Name, Func<long> Run)[]
        {
            ("bytes", () => { using var s = File.OpenRead(path); var b = new byte[1 << 16]; long n = 0; int k; while ((k = s.Read(b)) > 0) n += k; return n; }),
            ("bytes+sha256", () => { using var h = HashingStream.NewHash(); using var s = new HashingStream(File.OpenRead(path), h); var b = new byte[1 << 16]; long n = 0; int k; while ((k = s.Read(b)) > 0) n += k; return n; }),
            ("decode", () => { using var r = new StrictTextReader(File.OpenRead(path)); var b = new char[1 << 16]; long n = 0; int k; while ((k = r.Read(b, 0, b.Length)) > 0) n += k; return n; }),
            ("records", () => { using var r = new CsvReader(path, Csv.MaxRecordLength); long n = 0; while (r.Read()) n += r.FieldCount; return n; }),
            ("rows+numbers", () =>
            {
                using var rows = CsvRows.Open(path, null, h => CsvPlan.FileOrder([.. h.Select(_ => ColumnKind.Numeric)]));
                var row = new double[rows.Width]; long n = 0;
                while (rows.Read(row)) n++;
                return n;
            }),
            ("blocks-only", () =>
            {
                using var blocks = new CellBlocks(784);
                var row = new double[784];
                for (var r = 0; r < 60_000; r++) row.CopyTo(blocks.Append());
                return blocks.ToMatrix().Rows;
            }),
            ("alloc-touch", () => { var a = GC.AllocateUninitializedArray<double>(60_000 * 784); a.AsSpan().Fill(2.0); return a.Length; }),
            ("native-touch", () =>
            {
                var total = 0L;
                for (var b = 0; b < 12; b++)
                {
                    var p = System.Runtime.InteropServices.Marshal.AllocHGlobal((32 << 20) + (64 << 10));
                    unsafe { new Span<double>((void*)p, ((32 << 20) + (64 << 10)) / 8).Fill(2.0); }
                    System.Runtime.InteropServices.Marshal.FreeHGlobal(p);
                    total += 1;
                }
                return total;
            }),
            ("rows+blocks", () =>
            {
                using var rows = CsvRows.Open(path, null, h => CsvPlan.FileOrder([.. h.Select(_ => ColumnKind.Numeric)]));
                using var blocks = new CellBlocks(rows.Width);
                var row = new double[rows.Width];
                while (rows.Read(row)) row.CopyTo(blocks.Append());
                return blocks.ToMatrix().Rows;
            }),
            ("rows+blocks+hash", () =>
            {
                using var hash = HashingStream.NewHash();
                using var rows = CsvRows.Open(path, hash, h => CsvPlan.FileOrder([.. h.Select(_ => ColumnKind.Numeric)]));
                using var blocks = new CellBlocks(rows.Width);
                var row = new double[rows.Width];
                while (rows.Read(row)) row.CopyTo(blocks.Append());
                return blocks.ToMatrix().Rows;
            }),
            ("ForTraining", () => DataSource.ForTraining(path, null, null).Features.Rows),
        };
        var times = phases.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < 4; round++)
            for (var p = 0; p < phases.Length; p++)
            {
                var clock = Stopwatch.StartNew();
                phases[p].Run();
                if (round > 0) times[p].Add(clock.Elapsed.TotalSeconds);
            }
        for (var p = 0; p < phases.Length; p++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phases[p].Name}={times[p].Order().ElementAt(times[p].Count / 2):F3}s"));
    }
}
