using System.Diagnostics;
using System.Globalization;
using nietras.SeparatedValues;
using Nn;
using Nn.Shell;

namespace Nn.Bench;

/// <summary>
/// `quick 1 csv [path]`: the project's CSV reader (what `nn train --data` runs: <see cref="DataSource.ForTraining"/>,
/// with its hashing, strict decoding and error locations) against Sep 0.18 parsing the same file into the same doubles,
/// on an MNIST-shaped file (60,000 × 785 small integers, written once from a key). Alternating rounds; medians of the
/// wall time and of the bytes allocated on this thread.
/// </summary>
internal static class CsvTimings
{
    public static void Run(string? path)
    {
        path ??= Path.Combine(Path.GetTempPath(), "nn-csv-60000x785.csv");
        const int Rows = 60_000, Cols = 784;
        if (!File.Exists(path)) Write(path, Rows, Cols);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file={path} bytes={new FileInfo(path).Length}"));
        var (ours, sep) = (new List<(double, long)>(), new List<(double, long)>());
        double[]? reference = null;
        for (var round = 0; round < 6; round++)
        {
            var a = Time(() => DataSource.ForTraining(path, null, null).Features.ToRowMajorArray());
            var b = Time(() => ReadWithSep(path, Cols + 1));
            if (round == 0)
            {
                // The same numbers, bit for bit, before anything is timed in earnest.
                reference = DataSource.ForTraining(path, null, null).Features.ToRowMajorArray();
                var other = ReadWithSep(path, Cols + 1);
                if (!reference.AsSpan().SequenceEqual(other)) throw new InvalidOperationException("Sep and Nn read different numbers.");
                continue;   // warm-up round
            }
            ours.Add(a);
            sep.Add(b);
        }
        static double Median(IEnumerable<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }
        var (ot, ob) = (Median(ours.Select(x => x.Item1)), Median(ours.Select(x => (double)x.Item2)));
        var (st, sb) = (Median(sep.Select(x => x.Item1)), Median(sep.Select(x => (double)x.Item2)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"nn_csv_s={ot:F3} sep_s={st:F3} ratio_nn_over_sep={ot / st:F2} nn_alloc_mb={ob / 1e6:F0} sep_alloc_mb={sb / 1e6:F0}"));
    }

    /// <summary>
    /// One read by one reader in this (fresh) process, with the process's peak resident memory: the in-process rounds of
    /// <see cref="Run"/> favour a reader whose arrays the GC reuses from round to round, which a one-shot `nn train` cannot.
    /// </summary>
    public static void Once(string reader, string? path)
    {
        path ??= Path.Combine(Path.GetTempPath(), "nn-csv-60000x785.csv");
        var clock = Stopwatch.StartNew();
        // Each reader's own product, uncopied: Sep's array of doubles, or the matrix `nn train` trains on.
        var values = reader == "sep" ? ReadWithSep(path, 785).Length : DataSource.ForTraining(path, null, null).Features.Rows * 784;
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reader={reader} seconds={seconds:F3} values={values} peak_rss_mb={Environment.WorkingSet / 1e6:F0} peak_mb={System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0}"));
    }

    private static (double Seconds, long Bytes) Time(Func<double[]> read)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var data = read();
        var seconds = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(data);
        return (seconds, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Every field but the last (the label) as a double, row-major, with Sep.</summary>
    private static double[] ReadWithSep(string path, int fields)
    {
        using var reader = Sep.Reader(o => o with { HasHeader = true }).FromFile(path);
        var values = new List<double>(60_000 * (fields - 1));
        foreach (var row in reader)
            for (var c = 0; c < fields - 1; c++) values.Add(row[c].Parse<double>());
        return [.. values];
    }

    private static void Write(string path, int rows, int cols)
    {
        var pixels = Prng.Uniform(Key.FromSeed(784), rows * cols, 0, 256);
        using var w = new StreamWriter(path);
        w.WriteLine(string.Join(",", Enumerable.Range(0, cols).Select(c => $"p{c}")) + ",label");
        var line = new System.Text.StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            line.Clear();
            for (var c = 0; c < cols; c++)
            {
                // Mostly zeros with some ink, like MNIST.
                var v = pixels[r * cols + c];
                line.Append(v < 200 ? 0 : (int)v).Append(',');
            }
            line.Append(r % 10);
            w.WriteLine(line);
        }
    }
}
