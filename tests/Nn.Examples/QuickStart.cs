using Nn;

namespace Nn.Examples;

/// <summary>
/// The README quick start, statement for statement (the lines between the markers must equal the README's code block;
/// <see cref="QuickStartTests"/> checks that and runs it with Console redirected).
/// </summary>
public static class QuickStart
{
    public static void Run()
    {
        // quick-start:begin
        // XOR: 4 examples (one per row), 2 features, one 0/1 target column.
        var x = Matrix.FromRows([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
        var y = Matrix.FromRows([[0.0], [1.0], [1.0], [0.0]]);

        // 2 → 8 tanh → 1 sigmoid, weights drawn from an explicit key.
        var network = Init.Mlp(Key.FromSeed(42), [2, 8, 1], Activations.Tanh, Activations.Sigmoid, InitSchemes.XavierNormal);
        var config = TrainConfig.Of(Objective.Of(Losses.BinaryCrossEntropy), Optimizers.Adam(0.05));

        // Training is a fold of a pure step over batches: the state is the only thing that changes.
        var state = Training.Init(config, network, Key.FromSeed(7));
        for (var step = 0; step < 500; step++)
            state = Training.Step(config, state, x, y);

        var probabilities = Forward.Predict(state.Parameters, x);                  // 4×1
        var gradients = Backprop.Gradient(network, x, y, config.Objective);        // loss + ∂J/∂θ as a Network
        var check = GradientCheck.Run(network, x, y, config.Objective, GradientCheckOptions.Default);

        Console.WriteLine($"final loss {state.LastLoss:F4}; p = {probabilities}");
        Console.WriteLine($"initial loss {gradients.Loss:F4}; gradient check: {check}");
        // quick-start:end
    }
}
