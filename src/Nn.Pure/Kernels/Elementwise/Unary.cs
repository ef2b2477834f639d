using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>An element-wise function written once over any width of <see cref="ILanes{T}"/>.</summary>
internal interface IUnaryOperator
{
    /// <summary>The function of each lane.</summary>
    static abstract T Invoke<T>(T x) where T : struct, ILanes<T>;
}

/// <summary>An element-wise function of two arguments written once over any width of <see cref="ILanes{T}"/>.</summary>
internal interface IBinaryOperator
{
    /// <summary>The function of each pair of lanes.</summary>
    static abstract T Invoke<T>(T x, T y) where T : struct, ILanes<T>;
}

/// <summary>
/// The shared driver of the element-wise kernels: runs an operator over spans on the widest SIMD width the machine
/// accelerates, the tail as one more vector padded with zeros. Every width computes each element with the same
/// operations, so the bits do not depend on the width, the span's length or the element's position.
/// </summary>
internal static class Unary
{
    /// <summary><c>destination[i] = f(x[i])</c> on the widest accelerated width.</summary>
    /// <remarks><paramref name="destination"/> may be <paramref name="x"/> itself (in place), but no other overlap.</remarks>
    internal static void Apply<TOp>(ReadOnlySpan<double> x, Span<double> destination) where TOp : IUnaryOperator
    {
        if (Lanes512.IsHardwareAccelerated) Apply<TOp, Lanes512>(x, destination);
        else if (Lanes256.IsHardwareAccelerated) Apply<TOp, Lanes256>(x, destination);
        else if (Lanes128.IsHardwareAccelerated) Apply<TOp, Lanes128>(x, destination);
        else Apply<TOp, Lane1>(x, destination);
    }

    /// <summary><c>destination[i] = f(x[i])</c> on the width <typeparamref name="T"/> (at most 8 lanes).</summary>
    internal static void Apply<TOp, T>(ReadOnlySpan<double> x, Span<double> destination)
        where TOp : IUnaryOperator where T : struct, ILanes<T>
    {
        var n = x.Length;
        if (destination.Length < n) throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        ref var src = ref MemoryMarshal.GetReference(x);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        for (; i <= n - T.Count; i += T.Count) TOp.Invoke(T.Load(ref src, (nuint)i)).Store(ref dst, (nuint)i);
        if (i == n) return;
        // The tail on the same width, padded with zeros: one copy of the function's code per width.
        Span<double> tail = stackalloc double[8];
        x[i..].CopyTo(tail);
        ref var t = ref MemoryMarshal.GetReference(tail);
        TOp.Invoke(T.Load(ref t, 0)).Store(ref t, 0);
        tail[..(n - i)].CopyTo(destination[i..]);
    }

    /// <summary><c>destination[i] = f(x[i], y[i])</c> on the widest accelerated width.</summary>
    internal static void Apply<TOp>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) where TOp : IBinaryOperator
    {
        if (Lanes512.IsHardwareAccelerated) Apply<TOp, Lanes512>(x, y, destination);
        else if (Lanes256.IsHardwareAccelerated) Apply<TOp, Lanes256>(x, y, destination);
        else if (Lanes128.IsHardwareAccelerated) Apply<TOp, Lanes128>(x, y, destination);
        else Apply<TOp, Lane1>(x, y, destination);
    }

    /// <summary><c>destination[i] = f(x[i], y[i])</c> on the width <typeparamref name="T"/> (at most 8 lanes).</summary>
    internal static void Apply<TOp, T>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
        where TOp : IBinaryOperator where T : struct, ILanes<T>
    {
        var n = x.Length;
        if (y.Length != n) throw new ArgumentException("The arguments differ in length.", nameof(y));
        if (destination.Length < n) throw new ArgumentException("The destination is shorter than the source.", nameof(destination));
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ys = ref MemoryMarshal.GetReference(y);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        var i = 0;
        for (; i <= n - T.Count; i += T.Count) TOp.Invoke(T.Load(ref xs, (nuint)i), T.Load(ref ys, (nuint)i)).Store(ref dst, (nuint)i);
        if (i == n) return;
        Span<double> tail = stackalloc double[16];
        x[i..].CopyTo(tail);
        y[i..].CopyTo(tail[8..]);
        ref var t = ref MemoryMarshal.GetReference(tail);
        TOp.Invoke(T.Load(ref t, 0), T.Load(ref t, 8)).Store(ref t, 0);
        tail[..(n - i)].CopyTo(destination[i..]);
    }

    /// <summary>The lanes of <paramref name="v"/> as a 512-bit vector (for callers holding <see cref="Vector512{T}"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Of<TOp>(Vector512<double> v) where TOp : IUnaryOperator => TOp.Invoke(new Lanes512(v)).Value;

    /// <summary>The lanes of <paramref name="v"/> as a 256-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Of<TOp>(Vector256<double> v) where TOp : IUnaryOperator => TOp.Invoke(new Lanes256(v)).Value;

    /// <summary>The lanes of <paramref name="v"/> as a 128-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> Of<TOp>(Vector128<double> v) where TOp : IUnaryOperator => TOp.Invoke(new Lanes128(v)).Value;

    /// <summary>The function of one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Of<TOp>(double x) where TOp : IUnaryOperator => TOp.Invoke(new Lane1(x)).Value;
}
