using System.Runtime.Intrinsics;

namespace Nn.Kernels;

/// <summary>
/// Fused per-element optimizer updates over flat spans: inputs first, destinations last, all of one length.
/// A destination may be the matching input (an in-place update): every kernel reads element i of all its inputs before
/// it writes element i. The operation order is exactly the one documented,
/// with no fused multiply-add, so a scalar reference written the same way gives the same bits.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary><c>θ′[i] = θ[i] − lr·g[i]</c>.</summary>
    internal static void Sgd(double lr, ReadOnlySpan<double> theta, ReadOnlySpan<double> g, Span<double> thetaOut)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vlr = Vector256.Create(lr);
            for (; i <= theta.Length - Vector256<double>.Count; i += Vector256<double>.Count)
                (Vector256.Create(theta[i..]) - vlr * Vector256.Create(g[i..])).CopyTo(thetaOut[i..]); // multiply, then subtract: no FMA
        }
        for (; i < theta.Length; i++) thetaOut[i] = theta[i] - lr * g[i];
    }

    /// <summary>
    /// <c>v′[i] = β·v[i] + g[i]</c>; then <c>θ′[i] = θ[i] − lr·v′[i]</c>, or with <paramref name="nesterov"/>
    /// <c>θ′[i] = θ[i] − lr·(g[i] + β·v′[i])</c>.
    /// </summary>
    internal static void Momentum(double lr, double beta, bool nesterov, ReadOnlySpan<double> theta, ReadOnlySpan<double> g,
        ReadOnlySpan<double> v, Span<double> thetaOut, Span<double> vOut)
    {
        for (var i = 0; i < theta.Length; i++)
        {
            var vi = beta * v[i] + g[i];
            vOut[i] = vi;
            thetaOut[i] = nesterov ? theta[i] - lr * (g[i] + beta * vi) : theta[i] - lr * vi;
        }
    }

    /// <summary><c>s′[i] = ρ·s[i] + (1 − ρ)·(g[i]·g[i])</c>; <c>θ′[i] = θ[i] − lr·(g[i] / (√s′[i] + ε))</c>.</summary>
    internal static void RmsProp(double lr, double rho, double eps, ReadOnlySpan<double> theta, ReadOnlySpan<double> g,
        ReadOnlySpan<double> s, Span<double> thetaOut, Span<double> sOut)
    {
        var oneMinusRho = 1.0 - rho;
        for (var i = 0; i < theta.Length; i++)
        {
            var si = rho * s[i] + oneMinusRho * (g[i] * g[i]);
            sOut[i] = si;
            thetaOut[i] = theta[i] - lr * (g[i] / (Math.Sqrt(si) + eps));
        }
    }

    /// <summary>
    /// <c>m′[i] = β₁·m[i] + (1 − β₁)·g[i]</c>; <c>v′[i] = β₂·v[i] + (1 − β₂)·(g[i]·g[i])</c>;
    /// <c>m̂ = m′[i] / c₁</c>; <c>v̂ = v′[i] / c₂</c>; <c>θ′[i] = θ[i]·decay − lr·(m̂ / (√v̂ + ε))</c>,
    /// where c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ are the bias corrections and decay = 1 − lr·wd (exactly 1 for Adam: θ·1 = θ).
    /// </summary>
    internal static void Adam(double lr, double beta1, double beta2, double eps, double c1, double c2, double decay,
        ReadOnlySpan<double> theta, ReadOnlySpan<double> g, ReadOnlySpan<double> m, ReadOnlySpan<double> v,
        Span<double> thetaOut, Span<double> mOut, Span<double> vOut)
    {
        var oneMinusBeta1 = 1.0 - beta1;
        var oneMinusBeta2 = 1.0 - beta2;
        for (var i = 0; i < theta.Length; i++)
        {
            var mi = beta1 * m[i] + oneMinusBeta1 * g[i];
            var vi = beta2 * v[i] + oneMinusBeta2 * (g[i] * g[i]);
            mOut[i] = mi;
            vOut[i] = vi;
            var mHat = mi / c1;
            var vHat = vi / c2;
            thetaOut[i] = theta[i] * decay - lr * (mHat / (Math.Sqrt(vHat) + eps));
        }
    }
}
