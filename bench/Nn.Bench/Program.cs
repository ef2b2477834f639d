using System.Globalization;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Running;
using Nn;
using Nn.Bench;

// `dotnet run -c Release --project bench/Nn.Bench -- quick [threads] [all|gemm|gemm1024|small|step|mnist|activations|elementwise|update|pingpong|csv [path]|ab [variant]]` prints median
// timings as key=value lines (used by bench/compare.sh and bench/paired.sh); anything else goes to BenchmarkDotNet
// (e.g. `-- --filter '*Gemm*'`). `matrix (nn|ort) WORK THREADS NTRAIN` is a worker of bench/matrix.py (see MatrixWorker).
if (args.Length > 0 && args[0] == "matrix") return MatrixWorker.Run(args);
if (args.Length > 0 && args[0] == "quick")
{
    var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
    var only = args.Length > 2 ? args[2] : "all";
    Workloads.Compute = ComputeOptions.WithThreads(threads);
    var ws = new Nn.Kernels.Workspace(Workloads.Compute);
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine($"threads={threads}");
    if (only == "update")
    {
        // The optimizer updates over one 784 × 512 weight tensor on one thread, against a hand-written 512-bit loop of
        // the same rule (v = βv + g; θ = θ − lr·v), to see what the lane abstraction costs.
        const int N = 784 * 512;
        var theta = Workloads.Random(1, 1, N).ToRowMajorArray();
        var grad = Workloads.Random(2, 1, N).ToRowMajorArray();
        var vel = new double[N];
        const int Reps = 200;
        var lib = Workloads.MedianSeconds(() => { for (var r = 0; r < Reps; r++) Nn.Kernels.OptimizerKernels.Momentum(1e-9, 0.9, false, theta, grad, vel, theta, vel); }, 3, 9) / Reps;
        var hand = Workloads.MedianSeconds(() =>
        {
            for (var r = 0; r < Reps; r++)
            {
                var (b, lr) = (System.Runtime.Intrinsics.Vector512.Create(0.9), System.Runtime.Intrinsics.Vector512.Create(1e-9));
                for (var i = 0; i < N; i += 8)
                {
                    var v = b * System.Runtime.Intrinsics.Vector512.Create(vel.AsSpan(i, 8)) + System.Runtime.Intrinsics.Vector512.Create(grad.AsSpan(i, 8));
                    v.CopyTo(vel.AsSpan(i, 8));
                    (System.Runtime.Intrinsics.Vector512.Create(theta.AsSpan(i, 8)) - lr * v).CopyTo(theta.AsSpan(i, 8));
                }
            }
        }, 3, 9) / Reps;
        var sgd = Workloads.MedianSeconds(() => { for (var r = 0; r < Reps; r++) Nn.Kernels.OptimizerKernels.Sgd(1e-9, theta, grad, theta); }, 3, 9) / Reps;
        Console.WriteLine(string.Create(inv, $"momentum_784x512_us={lib * 1e6:F1} hand512_us={hand * 1e6:F1} sgd_us={sgd * 1e6:F1}"));
        return 0;
    }
    if (only == "csv")
    {
        CsvTimings.Run(args.Length > 3 ? args[3] : null);
        return 0;
    }
    if (only == "csvonce")
    {
        // One read in a fresh process (as `nn train` reads its data once): `quick 1 csvonce nn|sep [path]`.
        CsvTimings.Once(args.Length > 3 ? args[3] : "nn", args.Length > 4 ? args[4] : null);
        return 0;
    }
    if (only == "csvphases")
    {
        CsvPhases.Run(args.Length > 3 ? args[3] : Path.Combine(Path.GetTempPath(), "nn-csv-60000x785.csv"));
        return 0;
    }
    if (only == "pingpong")
    {
        Console.WriteLine(string.Create(inv, $"core_round_trip_ns={CoreLatency.RoundTripNanoseconds():F0}"));
        return 0;
    }
    if (only == "ab")
    {
        AbTimings.Run(threads, args.Length > 3 ? args[3] : null);
        return 0;
    }
    if (only is "all" or "gemm" or "gemm1024")
    {
        var shapes = only == "gemm1024" ? new[] { "1024x1024x1024" }
            : new[] { "1024x1024x1024", "128x784x512", "128x512x512", "128x512x10", "784x128x512 tA", "128x512x784 tB", "512x128x512 tA", "128x10x512 tB" };
        foreach (var shape in shapes)
        {
            var (m, k, n, op) = GemmBenchmarks.Parse(shape);
            var a = op == "tA" ? Workloads.Random(1, k, m) : Workloads.Random(1, m, k);
            var b = op == "tB" ? Workloads.Random(2, n, k) : Workloads.Random(2, k, n);
            var reps = (int)Math.Clamp(2e9 / (2.0 * m * k * n), 5, 2000);
            // The kernel into a preallocated result, as bench/common.py times OpenBLAS (np.matmul(a, b, out=c)).
            var c = new double[m * n];
            var (ad, bd) = (a.ToRowMajorArray(), b.ToRowMajorArray());
            var s = Workloads.MedianSeconds(() =>
            {
                for (var r = 0; r < reps; r++) Nn.Kernels.Gemm.Multiply(ad, op == "tA", bd, op == "tB", c, m, k, n, null, ws);
            }, 2, 7) / reps;
            Console.WriteLine(string.Create(inv, $"gemm[{shape.Replace(' ', '_')}]_gflops={2.0 * m * k * n / s / 1e9:F2}"));
            if (shape == "1024x1024x1024")
            {
                // The public API, which returns a new matrix each call (8 MB here).
                var sa = Workloads.MedianSeconds(() => { for (var r = 0; r < reps; r++) _ = Matrix.Multiply(a, b); }, 2, 7) / reps;
                Console.WriteLine(string.Create(inv, $"gemm_api[{shape}]_gflops={2.0 * m * k * n / sa / 1e9:F2}"));
            }
        }
    }
    if (only is "all" or "small")
    {
        var small = Workloads.Small();
        // 40 untimed runs (about a second) first: the runtime moves hot methods to optimised tier-1 code only after
        // ~30 calls and a 100 ms quiet period, so runs 3–9 (the old window) could still time instrumented tier-0 code.
        var s = Workloads.MedianSeconds(() => small.Train(), 40, 15);
        var cpu = Workloads.MedianCpuSeconds(() => small.Train(), 0, 15);
        Console.WriteLine(string.Create(inv, $"small_seconds={s:F4} small_cpu_seconds={cpu:F4}"));
    }
    if (only is "all" or "step")
    {
        var p = Workloads.Mnist(128);
        var st = Training.Init(p.Config, p.Network, Key.FromSeed(3));
        for (var i = 0; i < 20; i++) st = Training.Step(p.Config, st, p.X, p.Y, Workloads.Compute);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        const int Steps = 20;
        for (var i = 0; i < Steps; i++) st = Training.Step(p.Config, st, p.X, p.Y, Workloads.Compute);
        var bytes = (GC.GetTotalAllocatedBytes(precise: true) - before) / Steps;
        var parameterBytes = Parameters.Flatten(p.Network).Length * 8L;
        Console.WriteLine(string.Create(inv, $"mnist_step_alloc_bytes={bytes} parameter_bytes={parameterBytes}"));
    }
    if (only is "activations")
    {
        // tanh and sigmoid on a 128 × 512 batch (a hidden layer of the MNIST-scale net): forward and backward, one thread.
        var z = Workloads.Random(5, 128, 512);
        foreach (var f in new[] { Activations.Tanh, Activations.Sigmoid })
        {
            var a = Activations.Apply(f, z);
            const int Reps = 200;
            var fwd = Workloads.MedianSeconds(() => { for (var r = 0; r < Reps; r++) _ = Activations.Apply(f, z); }, 3, 9) / Reps;
            var bwd = Workloads.MedianSeconds(() => { for (var r = 0; r < Reps; r++) _ = Activations.Backward(f, z, a, z); }, 3, 9) / Reps;
            Console.WriteLine(string.Create(inv, $"{f.Name}_128x512_forward_us={fwd * 1e6:F1} {f.Name}_128x512_backward_us={bwd * 1e6:F1}"));
        }
    }
    if (only is "elementwise")
    {
        // Each element-wise kernel over 65,536 values in (−4, 4) (ln and ln(1 + x) over (0, 4)), on every width.
        var x = Workloads.Random(6, 128, 512).ToRowMajorArray().Select(v => 4 * v).ToArray();
        var positive = x.Select(Math.Abs).ToArray();
        var d = new double[x.Length];
        foreach (var (name, input, run) in Nn.Bench.ElementwiseTimings.Kernels(x, positive))
            foreach (var width in new[] { 8, 4, 2, 1 })
            {
                const int Reps = 100;
                var s = Workloads.MedianSeconds(() => { for (var r = 0; r < Reps; r++) run(width, input, d); }, 3, 7) / Reps;
                Console.WriteLine(string.Create(inv, $"{name}_x{width}_ns_per_value={s * 1e9 / x.Length:F2}"));
            }
    }
    if (only is "all" or "mnist")
    {
        var mnist = Workloads.Mnist();
        var first = Workloads.MedianSeconds(() => mnist.Train(), 0, 1);
        // NN_BENCH_REPEATS: timed epochs after the first (default 3); bench/paired.sh uses 1 per process.
        var repeats = int.TryParse(Environment.GetEnvironmentVariable("NN_BENCH_REPEATS"), out var rr) && rr > 0 ? rr : 3;
        var s = Workloads.MedianSeconds(() => mnist.Train(), 0, repeats);
        Console.WriteLine(string.Create(inv, $"mnist_epoch_first_seconds={first:F3}"));
        Console.WriteLine(string.Create(inv, $"mnist_epoch_seconds={s:F3}"));
    }
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
return 0;
