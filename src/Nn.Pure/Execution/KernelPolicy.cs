namespace Nn;

/// <summary>The widest vector path the kernels may take (they take the widest the machine accelerates up to it).</summary>
internal enum VectorPath { Widest, Vector256, Vector128, Scalar }

/// <summary>
/// The kernels' internal choices, as a value inside <see cref="ComputeOptions"/>: which paths may run and where work is
/// cut. Every choice changes speed only, never a bit; tests pass the policy they want (a forced scalar, 128-bit or 256-bit path,
/// a zero parallel threshold) instead of flipping process-wide switches, so they can run side by side.
/// </summary>
internal sealed record KernelPolicy
{
    /// <summary>The defaults tuned for speed.</summary>
    public static KernelPolicy Default { get; } = new();

    /// <summary>The widest vector path allowed.</summary>
    public VectorPath Path { get; init; } = VectorPath.Widest;

    /// <summary>
    /// Products of fewer multiply-adds run on one thread (2²¹). Measured (`quick 2 ab threshold21`, against 2²⁰): the
    /// 128 × 128 · 128 × 64 products of 20→128→64→5 at batch 128 (2²⁰ each) ran 1.27–1.63× faster a step on one thread; 2¹⁸
    /// made the rows with products between 2¹⁸ and 2²⁰ 1.1–2.3× slower.
    /// </summary>
    public long ParallelThreshold { get; init; } = 1L << 21;

    /// <summary>Products of at most this many multiply-adds run unpacked (2¹⁵).</summary>
    public long DirectThreshold { get; init; } = 1L << 15;

    /// <summary>Products of at most this many rows of A run unpacked whatever their size (2: a batch of one or two examples).</summary>
    public int DirectMaxRows { get; init; } = 2;

    /// <summary>How a parallel product splits its output tiles (rows or columns; <see cref="Kernels.Gemm.Split.Auto"/> decides).</summary>
    public Kernels.Gemm.Split Partition { get; init; } = Kernels.Gemm.Split.Auto;

    /// <summary>The most doubles of an operand a parallel product packs once and shares between threads (2²², 32 MiB).</summary>
    public long SharedPackLimit { get; init; } = 1L << 22;

    /// <summary>How many parts per thread a parallel product's tiles are cut into (4).</summary>
    public int PartsPerThread { get; init; } = 4;

    /// <summary>Whether a product with one column tile on the 512-bit path reads A in place instead of packing it.</summary>
    public bool UnpackedA { get; init; } = true;

    /// <summary>Whether a product on the 512-bit path whose B no other thread shares reads row-major B in place instead of packing it.</summary>
    public bool UnpackedB { get; init; } = true;

    /// <summary>The 512-bit path's blocking.</summary>
    public Kernels.Gemm.Blocking Blocking512 { get; init; } = Kernels.Gemm.DefaultBlocking512;

    /// <summary>Optimizer updates of tensors with at least this many values split between threads (2¹⁶).</summary>
    public int UpdateParallelLength { get; init; } = 1 << 16;

    /// <summary>Whether the small-network kernel may step a network with one narrow hidden layer and a softmax output whole.</summary>
    public bool SmallMlp { get; init; } = true;
}
