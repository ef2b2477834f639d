using Nn.Kernels;

namespace Nn.Bench;

/// <summary>The element-wise kernels on a forced SIMD width, for `quick 1 elementwise`.</summary>
internal static class ElementwiseTimings
{
    public static IEnumerable<(string Name, double[] Input, Action<int, double[], double[]> Run)> Kernels(double[] x, double[] positive) =>
    [
        ("exp", x, On<Exponential>),
        ("log", positive, On<Logarithm>),
        ("expm1", x, On<ExponentialMinusOne>),
        ("log1p", positive, On<LogOnePlus>),
        ("tanh", x, On<HyperbolicTangent>),
        ("sigmoid", x, On<Logistic>),
    ];

    private static void On<TOp>(int width, double[] x, double[] d) where TOp : IUnaryOperator
    {
        switch (width)
        {
            case 8: Unary.Apply<TOp, Lanes512>(x, d); break;
            case 4: Unary.Apply<TOp, Lanes256>(x, d); break;
            case 2: Unary.Apply<TOp, Lanes128>(x, d); break;
            default: Unary.Apply<TOp, Lane1>(x, d); break;
        }
    }
}
