using System.Collections.Immutable;

namespace Nn;

/// <summary>
/// Transformations applied one after the other (Optax's <c>chain</c>): the updates leave each link for the next, and
/// the state is one state per link (<see cref="State"/>). Create with <see cref="Optimizers.Chain"/>.
/// </summary>
public sealed record Chain : GradientTransformation
{
    /// <summary>A chain of <paramref name="links"/>, in order.</summary>
    /// <exception cref="ArgumentException">When there are no links or one is null.</exception>
    public Chain(IEnumerable<GradientTransformation> links)
    {
        Links = [.. links];
        if (Links.IsEmpty) throw new ArgumentException("A chain needs at least one transformation.", nameof(links));
        if (Links.Any(l => l is null)) throw new ArgumentException("A chain's transformation is null.", nameof(links));
    }

    /// <summary>The transformations, in the order they are applied.</summary>
    public ImmutableArray<GradientTransformation> Links { get; }

    /// <summary>A chain's state: the state of each link, in order.</summary>
    /// <param name="Links">One state per link.</param>
    public sealed record State(ImmutableArray<OptimizerState> Links) : OptimizerState
    {
        /// <summary>Value equality over the link states.</summary>
        public bool Equals(State? other) => other is not null && Links.SequenceEqual(other.Links);

        /// <inheritdoc />
        public override int GetHashCode() => Links.Aggregate(Links.Length, (h, s) => HashCode.Combine(h, s));

        /// <summary>e.g. <c>Chain.State[ScaleByAdam.State { … }, ScaleByLearningRate.State { Count = 3 }]</c>.</summary>
        public override string ToString() => $"Chain.State[{string.Join(", ", Links)}]";
    }

    /// <inheritdoc />
    public override OptimizerState Init(Network parameters) => new State([.. Links.Select(l => l.Init(parameters))]);

    /// <inheritdoc />
    public override Transformed Update(Network updates, OptimizerState state, Network parameters)
    {
        var s = StateOf<State>(state);
        if (s.Links.Length != Links.Length)
            throw new ArgumentException($"The chain has {Links.Length} transformations but its state has {s.Links.Length}.", nameof(state));
        var next = new OptimizerState[Links.Length];
        for (var i = 0; i < Links.Length; i++)
        {
            var r = Links[i].Update(updates, s.Links[i], parameters);
            (updates, next[i]) = (r.Updates, r.State);
        }
        return new(updates, new State([.. next]));
    }

    /// <summary>Value equality over the links.</summary>
    public bool Equals(Chain? other) => other is not null && Links.SequenceEqual(other.Links);

    /// <inheritdoc />
    public override int GetHashCode() => Links.Aggregate(Links.Length, (h, l) => HashCode.Combine(h, l));

    /// <summary>The links, e.g. <c>chain(scale-by-adam(0.9, 0.999, 1E-08), scale-by-learning-rate(0.01))</c>.</summary>
    public override string ToString() => $"chain({string.Join(", ", Links)})";
}
