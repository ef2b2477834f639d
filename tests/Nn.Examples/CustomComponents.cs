using Nn;
using Nn.Shell;

namespace Nn.Examples;

/// <summary>What docs/custom-components.md's program computed, for <see cref="CustomComponentsTests"/> to check.</summary>
public sealed record CustomComponentsResult(GradientVerdict Check, GradientVerdict Bad, GradientVerdict Huber, bool LoadedEqualsSaved, string Folder);

/// <summary>docs/custom-components.md's C# blocks, statement for statement (checked by <see cref="CustomComponentsTests"/>).</summary>
public static class CustomComponents
{
    public static CustomComponentsResult Run()
    {
        // guide:begin
        // Swish: f(z) = z·σ(z), f′(z) = σ(z) + z·σ(z)·(1 − σ(z)).
        Func<double, double> sigmoid = z => 1.0 / (1.0 + Math.Exp(-z));
        var swish = Activations.Custom("swish", z => z * sigmoid(z), z => sigmoid(z) + z * sigmoid(z) * (1 - sigmoid(z)));

        // Prove the pair: the gradient check compares back-propagation (which uses your f′) with central differences of J
        // (which use your f). A wrong derivative fails, naming the tensor and entry.
        var data = Synthetic.Blobs(Key.FromSeed(3), 12, 2, 3, 1.0);                   // 12 rows, 3 features, 2 classes
        var network = Init.Mlp(Key.FromSeed(11), [3, 5, 4, 2], swish, Activations.Softmax, InitSchemes.XavierNormal);
        var check = GradientCheck.Run(network, data.X, data.OneHot, Objective.Of(Losses.CategoricalCrossEntropy), GradientCheckOptions.Default);
        Console.WriteLine(check.Verdict);                                             // Passed

        var forgotten = Activations.Custom("swish", z => z * sigmoid(z), sigmoid);    // the derivative's second term forgotten
        var same = Init.Mlp(Key.FromSeed(11), [3, 5, 4, 2], forgotten, Activations.Softmax, InitSchemes.XavierNormal);   // the same weights
        var bad = GradientCheck.Run(same, data.X, data.OneHot, Objective.Of(Losses.CategoricalCrossEntropy), GradientCheckOptions.Default);
        Console.WriteLine(bad.Verdict);                                               // Failed

        // A model file holds the name "swish", not the function: give it back when loading.
        var model = Model.Fit(data.X, data.Labels, FitSettings.Default with { Activation = swish, Layers = [8], Epochs = 20 });
        var path = Path.Combine(Directory.CreateTempSubdirectory("nn-swish-").FullName, "swish.safetensors");
        model.Save(path);
        var loaded = Model.Load(path, activations: [swish]);
        // Huber with δ = 1: quadratic near the target, linear beyond.
        var huber = Losses.Custom("huber",
            (yHat, y) => Math.Abs(yHat - y) <= 1 ? 0.5 * (yHat - y) * (yHat - y) : Math.Abs(yHat - y) - 0.5,
            (yHat, y) => Math.Clamp(yHat - y, -1.0, 1.0));
        var linear = Synthetic.LinearRegression(Key.FromSeed(5), 40, 3, 0.3);
        var regressor = Init.Mlp(Key.FromSeed(6), [3, 6, 1], Activations.Tanh, Activations.Linear, InitSchemes.XavierNormal);
        var target = Matrix.Create(40, 1, linear.Data.Y.ToArray());
        var huberCheck = GradientCheck.Run(regressor, linear.Data.X, target, Objective.Of(huber), GradientCheckOptions.Default);
        Console.WriteLine(huberCheck.Verdict);                                        // Passed
        // guide:end
        return new CustomComponentsResult(check.Verdict, bad.Verdict, huberCheck.Verdict, loaded == model, Path.GetDirectoryName(path)!);
    }
}
