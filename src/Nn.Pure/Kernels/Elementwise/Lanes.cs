using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// Doubles in SIMD lanes: the operations the element-wise functions (<see cref="Exponential"/>, <see cref="Logarithm"/>,
/// <see cref="ExponentialMinusOne"/>, <see cref="LogOnePlus"/>, <see cref="HyperbolicTangent"/>, <see cref="Logistic"/>)
/// are written with, once, as generic methods over this interface. Every operation is exact or one IEEE rounding per
/// lane (<c>+ − × ÷</c>, fused multiply-add), a comparison, a bitwise select, or an integer operation on the bits, so
/// an algorithm computes the same bits in each lane of <see cref="Lane1"/> (scalar), <see cref="Lanes128"/>,
/// <see cref="Lanes256"/> and <see cref="Lanes512"/>: the widths differ in how many lanes run at once, never in what
/// one lane computes.
/// </summary>
/// <remarks>
/// A comparison gives a mask of the same type: all bits set in a lane where it holds, else zero. The bit operations read
/// and write a lane's 64 bits as a two's complement integer. No operation reads across lanes, so no result depends on
/// the width.
/// </remarks>
internal interface ILanes<T> where T : struct, ILanes<T>
{
    /// <summary>The number of lanes.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs on SIMD hardware here (the scalar width always does).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract T Create(double value);

    /// <summary>Every lane the double whose bits are <paramref name="bits"/>.</summary>
    static abstract T CreateBits(long bits);

    /// <summary>The first <see cref="Count"/> values of <paramref name="source"/> at <paramref name="at"/>.</summary>
    static abstract T Load(ref double source, nuint at);

    /// <summary>Writes the lanes to <paramref name="destination"/> at <paramref name="at"/> onwards.</summary>
    void Store(ref double destination, nuint at);

    /// <summary>Lane-wise sum, rounded.</summary>
    static abstract T operator +(T a, T b);

    /// <summary>Lane-wise difference, rounded.</summary>
    static abstract T operator -(T a, T b);

    /// <summary>Lane-wise product, rounded.</summary>
    static abstract T operator *(T a, T b);

    /// <summary>Lane-wise quotient, rounded.</summary>
    static abstract T operator /(T a, T b);

    /// <summary>Lane-wise negation (flips the sign bit).</summary>
    static abstract T operator -(T a);

    /// <summary><c>a·b + c</c> with one rounding per lane.</summary>
    static abstract T FusedMultiplyAdd(T a, T b, T c);

    /// <summary>Lane-wise square root, correctly rounded (IEEE).</summary>
    static abstract T Sqrt(T a);

    /// <summary>Mask of <c>a &lt; b</c> (false for NaN).</summary>
    static abstract T LessThan(T a, T b);

    /// <summary>Mask of <c>a &gt; b</c> (false for NaN).</summary>
    static abstract T GreaterThan(T a, T b);

    /// <summary>Mask of <c>a == b</c> (false for NaN; +0 equals −0).</summary>
    static abstract T Equal(T a, T b);

    /// <summary>Per lane, <paramref name="ifTrue"/> where <paramref name="mask"/>'s bits are set, else <paramref name="ifFalse"/>.</summary>
    static abstract T Select(T mask, T ifTrue, T ifFalse);

    /// <summary><c>a &gt; 0 ? a : +0</c> per lane (so −0 and NaN give +0): ReLU, one instruction where the machine has one.</summary>
    static abstract T Relu(T a);

    /// <summary>Whether every lane of <paramref name="mask"/> (a comparison's result) holds.</summary>
    static abstract bool All(T mask);

    /// <summary>Bitwise and.</summary>
    static abstract T And(T a, T b);

    /// <summary>Bitwise or.</summary>
    static abstract T Or(T a, T b);

    /// <summary>Each lane's bits as a 64-bit integer plus <paramref name="b"/>'s, wrapping.</summary>
    static abstract T AddBits(T a, T b);

    /// <summary>Each lane's bits shifted left by <paramref name="count"/>, as a 64-bit integer.</summary>
    static abstract T ShiftLeftBits(T a, int count);

    /// <summary>Each lane's bits shifted right by <paramref name="count"/>, filling with zeros.</summary>
    static abstract T ShiftRightBits(T a, int count);
}

/// <summary>Shared steps of the element-wise functions, over any width.</summary>
internal static class LaneMath
{
    /// <summary>1.5·2⁵²: adding it to a value of magnitude below 2⁵¹ rounds it to an integer n, held in the low bits.</summary>
    internal const double Shifter = 6755399441055744.0;

    private const long ShifterBits = 0x4338000000000000L;

    /// <summary>Mask of NaN lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T IsNaN<T>(T x) where T : struct, ILanes<T> => T.Select(T.Equal(x, x), T.Create(0.0), T.CreateBits(-1L));

    /// <summary>|x| (clears the sign bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Abs<T>(T x) where T : struct, ILanes<T> => T.And(x, T.CreateBits(long.MaxValue));

    /// <summary>The sign bit of x, alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T SignBit<T>(T x) where T : struct, ILanes<T> => T.And(x, T.CreateBits(long.MinValue));

    /// <summary>
    /// 2ⁿ for lanes holding integers n in [−1022, 1023] (exact doubles): its bits are (n + 1023)·2⁵², made from the low
    /// bits of n + 1.5·2⁵² (the bits above them shift out).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T PowerOfTwo<T>(T n) where T : struct, ILanes<T> =>
        T.ShiftLeftBits(T.AddBits(n + T.Create(Shifter), T.CreateBits(1023)), 52);

    /// <summary>The integer n of lanes holding n + 1.5·2⁵² (|n| &lt; 2⁵¹) as bits of a 64-bit integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T IntegerBits<T>(T shifted) where T : struct, ILanes<T> => T.AddBits(shifted, T.CreateBits(-ShifterBits));

    /// <summary>The small non-negative integers held as 64-bit integers in the lanes (below 2⁵¹), as doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T IntegerToDouble<T>(T bits) where T : struct, ILanes<T> =>
        T.AddBits(bits, T.CreateBits(ShifterBits)) - T.Create(Shifter);
}

/// <summary>One lane: the scalar form of every element-wise function (machines without SIMD, and single values).</summary>
/// <remarks>Each operation is one expression over the bits (no helper calls), so the JIT inlines whole functions.</remarks>
internal readonly struct Lane1(double value) : ILanes<Lane1>
{
    /// <summary>The lane.</summary>
    internal readonly double Value = value;

    public static int Count => 1;
    public static bool IsHardwareAccelerated => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Create(double value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 CreateBits(long bits) => new(BitConverter.Int64BitsToDouble(bits));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Load(ref double source, nuint at) => new(Unsafe.Add(ref source, at));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref double destination, nuint at) => Unsafe.Add(ref destination, at) = Value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator +(Lane1 a, Lane1 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator -(Lane1 a, Lane1 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator *(Lane1 a, Lane1 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator /(Lane1 a, Lane1 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator -(Lane1 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 FusedMultiplyAdd(Lane1 a, Lane1 b, Lane1 c) => new(Math.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Sqrt(Lane1 a) => new(Math.Sqrt(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 LessThan(Lane1 a, Lane1 b) => new(BitConverter.Int64BitsToDouble(a.Value < b.Value ? -1L : 0L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 GreaterThan(Lane1 a, Lane1 b) => new(BitConverter.Int64BitsToDouble(a.Value > b.Value ? -1L : 0L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Equal(Lane1 a, Lane1 b) => new(BitConverter.Int64BitsToDouble(a.Value == b.Value ? -1L : 0L));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Select(Lane1 mask, Lane1 ifTrue, Lane1 ifFalse) => BitConverter.DoubleToInt64Bits(mask.Value) != 0 ? ifTrue : ifFalse;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Relu(Lane1 a) => new(a.Value > 0 ? a.Value : 0.0);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Lane1 mask) => BitConverter.DoubleToInt64Bits(mask.Value) != 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 And(Lane1 a, Lane1 b) =>
        new(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a.Value) & BitConverter.DoubleToInt64Bits(b.Value)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Or(Lane1 a, Lane1 b) =>
        new(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a.Value) | BitConverter.DoubleToInt64Bits(b.Value)));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 AddBits(Lane1 a, Lane1 b) =>
        new(BitConverter.Int64BitsToDouble(unchecked(BitConverter.DoubleToInt64Bits(a.Value) + BitConverter.DoubleToInt64Bits(b.Value))));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 ShiftLeftBits(Lane1 a, int count) => new(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a.Value) << count));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 ShiftRightBits(Lane1 a, int count) => new(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(a.Value) >>> count));
}

/// <summary>Two lanes (SSE2 on x64, NEON on Arm64).</summary>
internal readonly struct Lanes128(Vector128<double> value) : ILanes<Lanes128>
{
    /// <summary>The lanes.</summary>
    internal readonly Vector128<double> Value = value;

    public static int Count => Vector128<double>.Count;
    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Create(double value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 CreateBits(long bits) => new(Vector128.Create(bits).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Load(ref double source, nuint at) => new(Vector128.LoadUnsafe(ref source, at));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref double destination, nuint at) => Value.StoreUnsafe(ref destination, at);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator +(Lanes128 a, Lanes128 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator -(Lanes128 a, Lanes128 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator *(Lanes128 a, Lanes128 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator /(Lanes128 a, Lanes128 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator -(Lanes128 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 FusedMultiplyAdd(Lanes128 a, Lanes128 b, Lanes128 c) => new(Vector128.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Sqrt(Lanes128 a) => new(Vector128.Sqrt(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 LessThan(Lanes128 a, Lanes128 b) => new(Vector128.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 GreaterThan(Lanes128 a, Lanes128 b) => new(Vector128.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Equal(Lanes128 a, Lanes128 b) => new(Vector128.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Select(Lanes128 mask, Lanes128 ifTrue, Lanes128 ifFalse) => new(Vector128.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Relu(Lanes128 a) => new(Elementwise.Relu2(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Lanes128 mask) => Vector128.EqualsAll(mask.Value.AsInt64(), Vector128<long>.AllBitsSet);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 And(Lanes128 a, Lanes128 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Or(Lanes128 a, Lanes128 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 AddBits(Lanes128 a, Lanes128 b) => new((a.Value.AsInt64() + b.Value.AsInt64()).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 ShiftLeftBits(Lanes128 a, int count) => new(Vector128.ShiftLeft(a.Value.AsInt64(), count).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 ShiftRightBits(Lanes128 a, int count) => new(Vector128.ShiftRightLogical(a.Value.AsInt64(), count).AsDouble());
}

/// <summary>Four lanes (AVX2 on x64).</summary>
internal readonly struct Lanes256(Vector256<double> value) : ILanes<Lanes256>
{
    /// <summary>The lanes.</summary>
    internal readonly Vector256<double> Value = value;

    public static int Count => Vector256<double>.Count;
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Create(double value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 CreateBits(long bits) => new(Vector256.Create(bits).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(ref double source, nuint at) => new(Vector256.LoadUnsafe(ref source, at));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref double destination, nuint at) => Value.StoreUnsafe(ref destination, at);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator +(Lanes256 a, Lanes256 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 a, Lanes256 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator *(Lanes256 a, Lanes256 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator /(Lanes256 a, Lanes256 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 FusedMultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Sqrt(Lanes256 a) => new(Vector256.Sqrt(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 LessThan(Lanes256 a, Lanes256 b) => new(Vector256.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 GreaterThan(Lanes256 a, Lanes256 b) => new(Vector256.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Equal(Lanes256 a, Lanes256 b) => new(Vector256.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Select(Lanes256 mask, Lanes256 ifTrue, Lanes256 ifFalse) => new(Vector256.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Relu(Lanes256 a) => new(Elementwise.Relu4(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Lanes256 mask) => Vector256.EqualsAll(mask.Value.AsInt64(), Vector256<long>.AllBitsSet);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 And(Lanes256 a, Lanes256 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Or(Lanes256 a, Lanes256 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 AddBits(Lanes256 a, Lanes256 b) => new((a.Value.AsInt64() + b.Value.AsInt64()).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 ShiftLeftBits(Lanes256 a, int count) => new(Vector256.ShiftLeft(a.Value.AsInt64(), count).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 ShiftRightBits(Lanes256 a, int count) => new(Vector256.ShiftRightLogical(a.Value.AsInt64(), count).AsDouble());
}

/// <summary>Eight lanes (AVX-512 on x64).</summary>
internal readonly struct Lanes512(Vector512<double> value) : ILanes<Lanes512>
{
    /// <summary>The lanes.</summary>
    internal readonly Vector512<double> Value = value;

    public static int Count => Vector512<double>.Count;
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Create(double value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 CreateBits(long bits) => new(Vector512.Create(bits).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(ref double source, nuint at) => new(Vector512.LoadUnsafe(ref source, at));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(ref double destination, nuint at) => Value.StoreUnsafe(ref destination, at);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a.Value + b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a.Value - b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a.Value * b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator /(Lanes512 a, Lanes512 b) => new(a.Value / b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 a) => new(-a.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 FusedMultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a.Value, b.Value, c.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Sqrt(Lanes512 a) => new(Vector512.Sqrt(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 LessThan(Lanes512 a, Lanes512 b) => new(Vector512.LessThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 GreaterThan(Lanes512 a, Lanes512 b) => new(Vector512.GreaterThan(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Equal(Lanes512 a, Lanes512 b) => new(Vector512.Equals(a.Value, b.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Select(Lanes512 mask, Lanes512 ifTrue, Lanes512 ifFalse) => new(Vector512.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Relu(Lanes512 a) => new(Elementwise.Relu8(a.Value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(Lanes512 mask) => Vector512.EqualsAll(mask.Value.AsInt64(), Vector512<long>.AllBitsSet);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 And(Lanes512 a, Lanes512 b) => new(a.Value & b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Or(Lanes512 a, Lanes512 b) => new(a.Value | b.Value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 AddBits(Lanes512 a, Lanes512 b) => new((a.Value.AsInt64() + b.Value.AsInt64()).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 ShiftLeftBits(Lanes512 a, int count) => new(Vector512.ShiftLeft(a.Value.AsInt64(), count).AsDouble());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 ShiftRightBits(Lanes512 a, int count) => new(Vector512.ShiftRightLogical(a.Value.AsInt64(), count).AsDouble());
}
