using System.Collections.Immutable;
using System.Globalization;

namespace Nn;

/// <summary>One class's weight in a <see cref="ClassWeight.Given"/>.</summary>
/// <param name="Label">The class label, as the target column spells it.</param>
/// <param name="Weight">The weight of its rows, finite and ≥ 0.</param>
public sealed record LabelWeight(string Label, double Weight);

/// <summary>
/// Weights per class for a classification fit (<c>nn train --class-weight</c>): every row of class c weighs
/// <c>w_c</c> in the loss. Match on the cases: <see cref="Balanced"/> (scikit-learn's <c>"balanced"</c>:
/// <c>n_samples / (n_classes · count_c)</c>, counted over the training rows) or <see cref="Given"/> (the listed labels'
/// weights, 1 for the others, as scikit-learn's dictionary).
/// </summary>
public abstract record ClassWeight
{
    private ClassWeight() { }

    /// <summary><c>n_samples / (n_classes · count_c)</c> over the rows trained on, so every class weighs the same in total.</summary>
    public sealed record Balanced : ClassWeight;

    /// <summary>The listed classes' weights; every other class weighs 1.</summary>
    /// <param name="Weights">Label and weight pairs, each label once.</param>
    public sealed record Given(ImmutableArray<LabelWeight> Weights) : ClassWeight
    {
        /// <summary>Sequence equality of the pairs.</summary>
        public bool Equals(Given? other) => other is not null && Weights.SequenceEqual(other.Weights);

        /// <inheritdoc />
        public override int GetHashCode() => Weights.Aggregate(Weights.Length, (h, w) => HashCode.Combine(h, w));
    }

    /// <summary>The balanced weighting.</summary>
    public static ClassWeight BalancedValue { get; } = new Balanced();

    /// <summary>Weights for the listed labels (an array or an F# list of pairs).</summary>
    /// <exception cref="ArgumentException">For a repeated label, or a weight that is negative or not finite.</exception>
    public static ClassWeight Of(IReadOnlyList<LabelWeight> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in weights)
        {
            if (!seen.Add(w.Label)) throw new ArgumentException($"class '{w.Label}' is given twice.");
            if (!(w.Weight >= 0) || double.IsInfinity(w.Weight))
                throw new ArgumentException($"class '{w.Label}': expected a weight >= 0, got {F(w.Weight)}.");
        }
        return new Given([.. weights]);
    }

    /// <summary>Parses <c>balanced</c> or <c>LABEL=W,LABEL=W,…</c> (the last '=' of each item splits label and weight).</summary>
    /// <exception cref="ArgumentException">For an item without '=', an empty label, a weight that is not a number ≥ 0, or a repeated label.</exception>
    public static ClassWeight Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == "balanced") return BalancedValue;
        var pairs = new List<LabelWeight>();
        foreach (var item in text.Split(','))
        {
            var eq = item.LastIndexOf('=');
            if (eq <= 0) throw new ArgumentException($"expected balanced or LABEL=W,…, got '{item}'.");
            if (!double.TryParse(item[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
                throw new ArgumentException($"class '{item[..eq]}': expected a number, got '{item[(eq + 1)..]}'.");
            pairs.Add(new LabelWeight(item[..eq], w));
        }
        return Of(pairs);
    }

    /// <summary>As the command line spells it: <c>balanced</c>, or <c>LABEL=W,…</c> with round-trip numbers.</summary>
    public sealed override string ToString() => this switch
    {
        Balanced => "balanced",
        Given g => string.Join(",", g.Weights.Select(w => $"{w.Label}={F(w.Weight)}")),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>
    /// The weight of each class in <paramref name="labels"/> order. Balanced counts <paramref name="classIndices"/>
    /// (the rows trained on): <c>n / (k · count_c)</c>, and 1 for a class with no such row (it has no training row to weigh).
    /// </summary>
    /// <exception cref="ArgumentException">When a listed label is not one of <paramref name="labels"/> (the message lists them).</exception>
    public static ImmutableArray<double> PerClass(ClassWeight weight, ImmutableArray<string> labels, IReadOnlyList<int> classIndices)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(classIndices);
        var k = labels.Length;
        var result = new double[k];
        switch (weight)
        {
            case Balanced:
                var counts = new long[k];
                foreach (var c in classIndices) counts[c]++;
                for (var c = 0; c < k; c++) result[c] = counts[c] == 0 ? 1.0 : classIndices.Count / ((double)k * counts[c]);
                break;
            case Given g:
                Array.Fill(result, 1.0);
                foreach (var w in g.Weights)
                {
                    var c = labels.IndexOf(w.Label);
                    if (c < 0) throw new ArgumentException($"no class '{w.Label}' in the target; the classes are: {string.Join(", ", labels)}.");
                    result[c] = w.Weight;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(weight), weight, "Unknown class weight.");
        }
        return System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(result);
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
