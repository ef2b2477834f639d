using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Nn;

namespace Nn.Bench;

/// <summary>Matrix products at the MLP's shapes and 1024³, on 1 and 2 threads; the GFLOP/s column is 2·m·k·n / mean.</summary>
[MemoryDiagnoser]
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    private double[] a = null!, b = null!;

    /// <summary>m×k×n and which operand is read transposed ("", "tA", "tB").</summary>
    [Params("1024x1024x1024", "128x784x512", "128x512x512", "128x512x10", "784x128x512 tA", "128x512x784 tB")]
    public string Shape { get; set; } = "";

    /// <summary>ComputeOptions.MaxThreads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    internal static (int M, int K, int N, string Op) Parse(string shape)
    {
        var parts = shape.Split(' ');
        var d = parts[0].Split('x').Select(int.Parse).ToArray();
        return (d[0], d[1], d[2], parts.Length > 1 ? parts[1] : "");
    }

    [GlobalSetup]
    public void Setup()
    {
        var (m, k, n, op) = Parse(Shape);
        a = (op == "tA" ? Workloads.Random(1, k, m) : Workloads.Random(1, m, k)).ToRowMajorArray();
        b = (op == "tB" ? Workloads.Random(2, n, k) : Workloads.Random(2, k, n)).ToRowMajorArray();
        Workloads.Compute = ComputeOptions.WithThreads(Threads);
    }

    /// <summary>The product into a new array with the benchmark's threads (the public Matrix functions use one thread).</summary>
    [Benchmark]
    public double[] Product()
    {
        var (m, k, n, op) = Parse(Shape);
        var c = new double[m * n];
        Nn.Kernels.Gemm.Multiply(a, op == "tA", b, op == "tB", c, m, k, n, null, new Nn.Kernels.Workspace(Workloads.Compute));
        return c;
    }

    private sealed class GflopsConfig : ManualConfig
    {
        public GflopsConfig() => AddColumn(new GflopsColumn());
    }

    private sealed class GflopsColumn : IColumn
    {
        public string Id => "GFLOPs";
        public string ColumnName => "GFLOP/s";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "2·m·k·n / mean time";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            if (report?.ResultStatistics is null) return "-";
            var (m, k, n, _) = Parse((string)benchmarkCase.Parameters["Shape"]);
            return (2.0 * m * k * n / report.ResultStatistics.Mean).ToString("F1", System.Globalization.CultureInfo.InvariantCulture); // ns → GFLOP/s
        }
    }
}

/// <summary>One MNIST-scale epoch (469 steps) on 1 and 2 threads.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class MnistEpochBenchmark
{
    private Workloads.Problem problem = null!;

    /// <summary>ComputeOptions.MaxThreads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        problem = Workloads.Mnist();
        Workloads.Compute = ComputeOptions.WithThreads(Threads);
    }

    [Benchmark]
    public TrainState Epoch() => problem.Train();
}

/// <summary>The small workload (3,200 steps of 2→32→3) and one MNIST-scale step: time and bytes allocated per call.</summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private Workloads.Problem small = null!;
    private Workloads.Problem mnist = null!;
    private TrainState mnistState = null!;
    private Matrix xb = null!, yb = null!;

    [GlobalSetup]
    public void Setup()
    {
        Workloads.Compute = ComputeOptions.WithThreads(2);
        small = Workloads.Small();
        mnist = Workloads.Mnist(128);
        mnistState = Training.Init(mnist.Config, mnist.Network, Key.FromSeed(3));
        xb = mnist.X;
        yb = mnist.Y;
    }

    /// <summary>The whole small workload: 200 epochs of 1,000 examples in batches of 64.</summary>
    [Benchmark]
    public TrainState SmallWorkload() => small.Train();

    /// <summary>One MNIST-scale training step on a 128-example batch (allocations = the returned state).</summary>
    [Benchmark]
    public TrainState MnistStep() => Training.Step(mnist.Config, mnistState, xb, yb, Workloads.Compute);
}
