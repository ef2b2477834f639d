namespace Nn;

/// <summary>
/// The closed set of losses. Every loss is a mean over the m examples of a batch, summed over the output columns.
/// Use the values in <see cref="Losses"/> (<c>Losses.CategoricalCrossEntropy</c>, …) and match on the nested case types.
/// </summary>
/// <remarks>
/// Definitions (Ŷ the output activation, Z the output logits, both m × n):
/// <list type="bullet">
/// <item>MSE: <c>J = (1/2m)·Σᵢ Σₖ (Ŷᵢₖ − Yᵢₖ)²</c>. The factor ½ makes <c>∂J/∂Ŷ = (Ŷ − Y)/m</c>; the reported loss is half
/// the mean-squared-error metric (for one output).</item>
/// <item>BCE (sigmoid output): <c>J = −(1/m)·Σᵢ Σₖ [Y log σ(Z) + (1 − Y) log(1 − σ(Z))] = (1/m)·Σ [softplus(Z) − Y·Z]</c>,
/// evaluated from the logits, so it is finite for any finite Z.</item>
/// <item>CCE (softmax output): <c>J = −(1/m)·Σᵢ Σₖ Yᵢₖ log softmax(Zᵢ)ₖ = (1/m)·Σᵢ [(Σₖ Yᵢₖ)·logΣexp(Zᵢ) − Σₖ YᵢₖZᵢₖ]</c>.</item>
/// </list>
/// The factor 1/m appears once, in J; the seeds' formulas that apply it again in ∂J/∂W are not followed.
/// </remarks>
public abstract record Loss
{
    private Loss() { }

    /// <summary>Half mean squared error, <c>(1/2m)·Σ (Ŷ − Y)²</c>; pairs with a linear output.</summary>
    public sealed record MeanSquaredError : Loss;

    /// <summary>Binary cross-entropy from logits; requires a sigmoid output.</summary>
    public sealed record BinaryCrossEntropy : Loss;

    /// <summary>Categorical cross-entropy from logits; requires a softmax output.</summary>
    public sealed record CategoricalCrossEntropy : Loss;

    /// <summary>
    /// A user's own element-wise loss: <c>J = (1/m)·Σᵢ Σₖ Value(Ŷᵢₖ, Yᵢₖ)</c>, with <c>Gradient(ŷ, y) = ∂Value/∂ŷ</c>, both
    /// pure functions of the output activation ŷ and the target y (e.g. Huber, mean absolute error). It pairs with any
    /// output; back-propagation goes through the output's derivative (its Jacobian for softmax). Create with
    /// <see cref="Losses.Custom"/>; prove it with <see cref="GradientCheck"/>.
    /// </summary>
    /// <param name="Label">Its name in files and messages: lowercase letters, digits and '-', not a built-in name.</param>
    /// <param name="Value">The per-element loss ℓ(ŷ, y).</param>
    /// <param name="Gradient">Its derivative ∂ℓ/∂ŷ.</param>
    public sealed record Custom(string Label, Func<double, double, double> Value, Func<double, double, double> Gradient) : Loss;

    /// <summary>
    /// A user's own row-wise loss: <c>J = (1/m)·Σᵢ Value(Ŷᵢ, Yᵢ)</c> over the rows, with <c>Gradient(ŷ, y) = ∂Value/∂ŷ</c>
    /// for one row (arrays in, a new array out), e.g. a focal loss on softmax probabilities. It pairs with any output;
    /// back-propagation goes through the output's derivative or Jacobian. Create with <see cref="Losses.CustomRows"/>.
    /// </summary>
    /// <param name="Label">Its name in files and messages: lowercase letters, digits and '-', not a built-in name.</param>
    /// <param name="Value">The loss of one row, ℓ(ŷ, y).</param>
    /// <param name="Gradient">Its gradient ∂ℓ/∂ŷ, a row.</param>
    public sealed record CustomRows(string Label, Func<double[], double[], double> Value, Func<double[], double[], double[]> Gradient) : Loss;

    /// <summary>The loss's name as used in files and on the command line: mse, bce, cce, or a custom one's label.</summary>
    public string Name => this switch
    {
        Custom c => c.Label,
        CustomRows r => r.Label,
        _ => Losses.Table.NameOf(this),
    };

    /// <summary>The <see cref="Name"/>; <see cref="Losses.Parse"/> reads it back.</summary>
    /// <remarks>Sealed so the case records do not synthesise their own <c>MeanSquaredError { Name = mse }</c>.</remarks>
    public sealed override string ToString() => Name;
}

/// <summary>
/// What training minimises: a loss plus optional L2 penalty and dropout.
/// <c>J = loss + (L2/2)·Σ_layers ‖W‖²</c> (weights only, not biases), so <c>∂J/∂W = ∂loss/∂W + L2·W</c>.
/// </summary>
/// <param name="Loss">The data loss.</param>
/// <param name="L2">The L2 coefficient λ ≥ 0.</param>
/// <param name="DropoutRate">The probability in [0, 1) of dropping a hidden unit during training (0 = no dropout).</param>
public sealed record Objective(Loss Loss, double L2, double DropoutRate)
{
    /// <summary>The objective with no penalty and no dropout.</summary>
    public static Objective Of(Loss loss) => new(loss, 0.0, 0.0);

    /// <summary>A copy with another L2 coefficient.</summary>
    public Objective WithL2(double l2) => this with { L2 = l2 };

    /// <summary>A copy with another dropout rate.</summary>
    public Objective WithDropout(double rate) => this with { DropoutRate = rate };

    /// <summary>Throws when λ is negative or not finite, or the rate is outside [0, 1).</summary>
    public void Validate()
    {
        if (!(L2 >= 0) || !double.IsFinite(L2)) throw new ArgumentOutOfRangeException(nameof(L2), L2, "The L2 coefficient must be finite and >= 0.");
        if (!(DropoutRate >= 0 && DropoutRate < 1)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), DropoutRate, "The dropout rate must be in [0, 1).");
    }
}
