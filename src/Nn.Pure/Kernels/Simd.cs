using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Nn.Kernels;

/// <summary>What the portable vector API cannot tell: whether its fused multiply-add runs in hardware.</summary>
internal static class Simd
{
    /// <summary>
    /// Whether <c>VectorNNN.FusedMultiplyAdd</c> and <see cref="Math.FusedMultiplyAdd(double, double, double)"/> are one
    /// instruction here: x86 with FMA3, or ARM64, whose NEON always has FMLA. Elsewhere the runtime emulates them in
    /// software, with the same bits but far slower than the scalar loop's own calls, so the kernels take the scalar path.
    /// The one place the kernels name an instruction set to choose a path; a JIT-time constant.
    /// </summary>
    internal static bool FusedMultiplyAddAccelerated => Fma.IsSupported || AdvSimd.Arm64.IsSupported;
}
