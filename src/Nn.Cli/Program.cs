using System.Globalization;
using Nn.Shell;

namespace Nn.Cli;

/// <summary>The nn command. This first slice has one command, <c>demo</c>; the full tool is tracked as its own issue.</summary>
public static class Program
{
    /// <summary>Runs the command named by the first argument; returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 1 && args[0] == "demo") return RunDemo(Console.Out);
        Console.Error.WriteLine("usage: nn demo    (train an MLP on the bundled digits data and print its test metrics)");
        return 2;
    }

    /// <summary>The demo: trains on the bundled digits and writes the metrics table to <paramref name="output"/>.</summary>
    public static int RunDemo(TextWriter output)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "data");
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        output.WriteLine("Training 64 → 64 ReLU → 10 softmax on the bundled 8×8 digits (Adam, lr 0.003, batch 32, 40 epochs, seed 42)…");
        var progress = new SyncProgress<EpochRecord>(r =>
        {
            if (r.Epoch % 5 == 0) output.WriteLine(FormattableString.Invariant($"  epoch {r.Epoch,3}  train loss {r.TrainLoss:F4}"));
        });
        var result = Demo.Run(Path.Combine(dir, "digits.csv"), Path.Combine(dir, "splits", "digits.csv"), progress, cts.Token);
        var report = result.Report;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine(string.Create(inv, $"Test metrics on {result.TestCount} held-out digits (training took {result.TrainSeconds:F2} s):"));
        output.WriteLine(string.Create(inv, $"  accuracy        {report.Accuracy:F4}"));
        output.WriteLine(string.Create(inv, $"  macro F1        {report.Macro.F1:F4}"));
        output.WriteLine(string.Create(inv, $"  weighted F1     {report.Weighted.F1:F4}"));
        output.WriteLine(string.Create(inv, $"  top-2 accuracy  {result.Top2Accuracy:F4}"));
        output.WriteLine(string.Create(inv, $"  ECE (10 bins)   {result.Calibration.Ece:F4}"));
        output.WriteLine(string.Create(inv, $"  log loss        {result.LogLoss:F4}"));
        output.WriteLine();
        output.WriteLine("Confusion matrix (rows: true digit, columns: predicted):");
        output.WriteLine("       " + string.Concat(Enumerable.Range(0, 10).Select(c => $"{c,4}")));
        var rows = result.Confusion.ToRows();
        for (var t = 0; t < rows.Length; t++) output.WriteLine($"  {t,3}  " + string.Concat(rows[t].Select(n => $"{n,4}")));
        return 0;
    }

    /// <summary>Reports on the calling thread (System.Progress posts to the thread pool, which would reorder lines).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
