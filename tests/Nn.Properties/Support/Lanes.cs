using System.Runtime.Intrinsics;

namespace Nn.Properties.Support;

/// <summary>The lanes of a SIMD vector as an array, for comparing them with scalar results.</summary>
internal static class Lanes
{
    public static double[] Of(Vector256<double> v)
    {
        var a = new double[Vector256<double>.Count];
        v.CopyTo(a);
        return a;
    }

    public static double[] Of(Vector512<double> v)
    {
        var a = new double[Vector512<double>.Count];
        v.CopyTo(a);
        return a;
    }
}
