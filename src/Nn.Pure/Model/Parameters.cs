using Nn.Kernels;

namespace Nn;

/// <summary>
/// Optax-style operations on a network viewed as a tree of parameters. Gradients, optimizer moments and updates are
/// all values of type <see cref="Network"/> with the same shapes, so an update is one map over the tree.
/// Activations are carried along unchanged from the first argument.
/// </summary>
public static class Parameters
{
    /// <summary>A network of the same shapes with every weight and bias set to 0.</summary>
    public static Network ZerosLike(Network network) =>
        new(network.Layers.Select(l => l.WithParameters(Matrix.Own(l.Inputs, l.Outputs, new double[l.Inputs * l.Outputs]), Vector.Own(new double[l.Outputs]))));

    /// <summary>The same values in arrays of their own (for a fold that then updates them in place).</summary>
    internal static Network Copy(Network network) =>
        new([.. network.Layers.Select(l => l.WithParameters(Matrix.Own(l.Inputs, l.Outputs, (double[])l.Weights.Data.Clone()), Vector.Own((double[])l.Bias.Data.Clone())))], network);

    /// <summary>Applies <c>f</c> to every weight and bias: <c>result = f(p)</c> element by element.</summary>
    public static Network Map(Network network, Func<double, double> f) =>
        new(network.Layers.Select(l => l.WithParameters(l.Weights.Map(f), l.Bias.Map(f))));

    /// <summary>Combines two networks of the same shapes element by element: <c>result = f(a, b)</c>.</summary>
    /// <exception cref="ArgumentException">When the shapes differ.</exception>
    public static Network Zip(Network a, Network b, Func<double, double, double> f)
    {
        CheckSameShape(a, b);
        return new(a.Layers.Select((la, i) =>
        {
            var lb = b.Layers[i];
            var w = new double[la.Weights.Rows * la.Weights.Cols];
            for (var k = 0; k < w.Length; k++) w[k] = f(la.Weights.Data[k], lb.Weights.Data[k]);
            var bias = new double[la.Outputs];
            for (var k = 0; k < bias.Length; k++) bias[k] = f(la.Bias.Data[k], lb.Bias.Data[k]);
            return la.WithParameters(Matrix.Own(la.Inputs, la.Outputs, w), Vector.Own(bias));
        }));
    }

    /// <summary>The element-wise sum <c>a + b</c>.</summary>
    public static Network Add(Network a, Network b) => Combine(a, b, static (x, y, r) => Blas.Add(x, y, r));

    /// <summary>The element-wise difference <c>a − b</c>.</summary>
    public static Network Subtract(Network a, Network b) => Combine(a, b, static (x, y, r) => Blas.Subtract(x, y, r));

    /// <summary>The scalar multiple <c>s·a</c>.</summary>
    public static Network Scale(double s, Network a) =>
        new(a.Layers.Select(l =>
        {
            var w = new double[l.Weights.Data.Length];
            Blas.Scale(s, l.Weights.Data, w);
            var b = new double[l.Outputs];
            Blas.Scale(s, l.Bias.Data, b);
            return l.WithParameters(Matrix.Own(l.Inputs, l.Outputs, w), Vector.Own(b));
        }));

    /// <summary><c>y + alpha·x</c>, element by element (e.g. <c>Axpy(−lr, grads, params)</c> is an SGD step).</summary>
    public static Network Axpy(double alpha, Network x, Network y) =>
        Combine(x, y, (xs, ys, r) =>
        {
            ys.CopyTo(r);
            Blas.Axpy(alpha, xs, r);
        });

    /// <summary>The inner product <c>Σ a·b</c> over every weight and bias, layer by layer, weights before bias, in storage order.</summary>
    public static double Dot(Network a, Network b)
    {
        CheckSameShape(a, b);
        var s = 0.0;
        for (var i = 0; i < a.Layers.Length; i++)
        {
            s += Blas.Dot(a.Layers[i].Weights.Data, b.Layers[i].Weights.Data);
            s += Blas.Dot(a.Layers[i].Bias.Data, b.Layers[i].Bias.Data);
        }
        return s;
    }

    /// <summary>The global L2 norm <c>√(Σ p²)</c> over every weight and bias (as used by gradient clipping).</summary>
    public static double GlobalNorm(Network a) => Math.Sqrt(Dot(a, a));

    /// <summary>Every weight and bias in one vector: layer by layer, the weights row-major, then the bias.</summary>
    public static Vector Flatten(Network network)
    {
        var v = new double[network.ParameterCount];
        var o = 0;
        foreach (var l in network.Layers)
        {
            l.Weights.Data.CopyTo(v, o);
            o += l.Weights.Data.Length;
            l.Bias.Data.CopyTo(v, o);
            o += l.Outputs;
        }
        return Vector.Own(v);
    }

    /// <summary>The inverse of <see cref="Flatten"/>: a network shaped like <paramref name="template"/> holding <paramref name="values"/>.</summary>
    /// <exception cref="ArgumentException">When the length is not the template's parameter count.</exception>
    public static Network Unflatten(Network template, Vector values)
    {
        if (values.Length != template.ParameterCount)
            throw new ArgumentException($"Expected {template.ParameterCount} values for {template}, got {values.Length}.", nameof(values));
        var o = 0;
        var layers = new List<Dense>(template.Layers.Length);
        foreach (var l in template.Layers)
        {
            var w = values.Data.AsSpan(o, l.Inputs * l.Outputs).ToArray();
            o += w.Length;
            var b = values.Data.AsSpan(o, l.Outputs).ToArray();
            o += b.Length;
            layers.Add(l.WithParameters(Matrix.Own(l.Inputs, l.Outputs, w), Vector.Own(b)));
        }
        return new(layers);
    }

    /// <summary>True when both networks have the same layer shapes (activations are not compared).</summary>
    public static bool SameShape(Network a, Network b) =>
        a.Layers.Length == b.Layers.Length &&
        a.Layers.Zip(b.Layers).All(p => p.First.Inputs == p.Second.Inputs && p.First.Outputs == p.Second.Outputs);

    /// <summary>True when every parameter of both networks has the same bit pattern.</summary>
    public static bool BitEquals(Network a, Network b) =>
        SameShape(a, b) && a.Layers.Zip(b.Layers).All(p => p.First.Weights.BitEquals(p.Second.Weights) && p.First.Bias.BitEquals(p.Second.Bias));

    /// <summary>True when every weight and bias is finite (no NaN or infinity).</summary>
    public static bool IsFinite(Network a) => IsFinite(a, 1);

    /// <summary><see cref="IsFinite(Network)"/> on up to <paramref name="threads"/> threads for large tensors.</summary>
    internal static bool IsFinite(Network a, int threads)
    {
        foreach (var l in a.Layers)
            if (!Blas.AllFinite(l.Weights.Data, threads) || !Blas.AllFinite(l.Bias.Data, threads)) return false;
        return true;
    }

    internal static void CheckSameShape(Network a, Network b)
    {
        if (!SameShape(a, b))
            throw new ArgumentException($"Parameter trees differ in shape: {a} and {b}.");
    }

    private delegate void SpanOp(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> r);

    private static Network Combine(Network a, Network b, SpanOp op)
    {
        CheckSameShape(a, b);
        return new(a.Layers.Select((la, i) =>
        {
            var lb = b.Layers[i];
            var w = new double[la.Weights.Data.Length];
            op(la.Weights.Data, lb.Weights.Data, w);
            var bias = new double[la.Outputs];
            op(la.Bias.Data, lb.Bias.Data, bias);
            return la.WithParameters(Matrix.Own(la.Inputs, la.Outputs, w), Vector.Own(bias));
        }));
    }
}
