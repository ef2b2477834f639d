using System.Text.RegularExpressions;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>
/// Runs that cannot fit or cannot finish are refused before any work: more memory than .NET reports available (both
/// numbers given), more parameters than an array holds, a gradient check above <c>--max-parameters</c>; one line naming the
/// flag, exit 2, nothing written.
/// </summary>
public class LimitTests
{
    private static string Line(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Gradcheck_with_two_billion_units_is_refused_with_the_memory_it_needs()
    {
        var r = NnCli.Run("gradcheck", "--layers", "2000000000");
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Equal("", r.Out);
        Assert.Matches(@"^nn: --layers: 4 → 2000000000 → 3 (needs about \d+\.\d [KMGTPE]iB of memory \(.*\), more than the \d+\.\d [KMGTPE]iB \.NET reports available; use narrower --layers|has 16000000003 parameters; at most 2147483647 are supported)\.$",
            Line(r.Err));
    }

    [Fact]
    public void Gradcheck_above_max_parameters_is_refused_with_the_number_of_forward_passes()
    {
        var r = NnCli.Run("gradcheck", "--layers", "1000,1000");
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Equal("--layers: 4 → 1000 → 1000 → 3 has 1009003 parameters, more than --max-parameters 100000; checking every one takes about 2018015 forward passes over the batch (the time grows with the square of the count); pass --max-parameters 1009003 to run it anyway.",
            Line(r.Err)["nn: ".Length..]);

        var model = NnCli.Run("gradcheck", "--layers", "30", "--max-parameters", "100");
        Assert.Equal(CliApp.BadInput, model.Code);
        Assert.StartsWith("nn: --layers: 4 → 30 → 3 has 243 parameters, more than --max-parameters 100;", Line(model.Err));

        Assert.Equal(0, NnCli.Run("gradcheck", "--layers", "30", "--max-parameters", "243").Code);
        Assert.StartsWith("nn: --max-parameters: expected at least 1", Line(NnCli.Run("gradcheck", "--max-parameters", "0").Err));
    }

    [Fact]
    public void Gradcheck_of_a_model_above_max_parameters_names_the_model_flag()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("blobs.csv", 60, 3);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--out", model, "--layers", "40", "--epochs", "1", "--quiet").Code);
        var r = NnCli.Run("gradcheck", "--model", model, "--data", data, "--max-parameters", "50");
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.StartsWith("nn: --model: 2 → 40 → 3 has 243 parameters, more than --max-parameters 50;", Line(r.Err));
    }

    [Fact]
    public void Gradcheck_with_a_huge_batch_names_the_batch_flag()
    {
        var r = NnCli.Run("gradcheck", "--batch", "2000000000");
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Matches(@"^nn: --batch: 4 → 8 → 8 → 3 needs about .* \.NET reports available; use a smaller --batch\.$", Line(r.Err));
    }

    [Fact]
    public void Train_with_layers_that_cannot_fit_is_refused_with_both_numbers_and_writes_nothing()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 50, 1, textLabels: false);
        var r = NnCli.Run("train", "--data", data, "--layers", "60000,60000", "--out", dir.File("m.safetensors"), "--checkpoint", dir.File("c.ckpt"));
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Matches(@"^nn: --layers: 2 → 60000 → 60000 → 1 (needs about \d+\.\d [KMGTPE]iB of memory \(parameters and their copies .*\), more than the \d+\.\d [KMGTPE]iB \.NET reports available; use narrower --layers|has 3600240001 parameters; at most 2147483647 are supported \(use narrower layers\))\.$",
            Line(r.Err));
        Assert.Equal(["moons.csv"], dir.Names());
    }

    [Fact]
    public void Under_a_heap_limit_train_and_gradcheck_refuse_with_the_limit_as_the_available_memory()
    {
        using var dir = new TempDir();
        var data = dir.Moons("moons.csv", 50, 1, textLabels: false);
        // .NET reports DOTNET_GCHeapHardLimit as its available memory: 256 MiB here, whatever the machine has.
        var limit = new Dictionary<string, string?> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" };
        var train = ChildNn.Run(["train", "--data", data, "--layers", "3000,3000", "--out", "m.safetensors"], dir.Path, TimeSpan.FromSeconds(60), limit);
        Assert.Equal(CliApp.BadInput, train.Code);
        Assert.Matches(@"^nn: --layers: 2 → 3000 → 3000 → 1 needs about \d+\.\d MiB of memory \(parameters and their copies \d+\.\d MiB, batch scratch \d+\.\d [KM]iB, data \d+\.\d KiB\), more than the 256\.0 MiB \.NET reports available; use narrower --layers\.$",
            Line(train.Err));
        var gradcheck = ChildNn.Run(["gradcheck", "--layers", "3000,3000", "--max-parameters", "100000000"], dir.Path, TimeSpan.FromSeconds(60), limit);
        Assert.Equal(CliApp.BadInput, gradcheck.Code);
        Assert.Matches(@"more than the 256\.0 MiB \.NET reports available; use narrower --layers\.$", Line(gradcheck.Err));
        Assert.Equal(["moons.csv"], dir.Names());
    }
}
