using System.Text.Json;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary><c>nn gradcheck</c>'s verdicts and exit codes: 0 passed, 1 failed, 4 inconclusive (the last is covered in the core's tests).</summary>
public class GradcheckVerdictTests
{
    [Fact]
    public void A_passing_check_prints_the_verdict_and_exits_0()
    {
        var r = NnCli.Run("gradcheck", "--layers", "4", "--activation", "relu", "--seed", "1");
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.EndsWith("All checks passed.", r.Out.TrimEnd());
        var j = NnCli.Run("gradcheck", "--layers", "4", "--activation", "relu", "--seed", "1", "--json");
        Assert.Equal(0, j.Code);
        using var json = JsonDocument.Parse(j.Out);
        Assert.Equal("passed", json.RootElement.GetProperty("verdict").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("inconclusive").GetArrayLength());
    }

    [Fact]
    public void A_model_whose_gradient_is_outside_the_one_sided_derivatives_fails_with_exit_1()
    {
        // W¹ = 0 and b¹ = 0 put every first-layer pre-activation exactly at 0, and negative W² puts the second layer's at
        // 0 too: along b¹ the loss is the line α·w·t through a double kink, while back-propagation's leaky′(0) = α gives
        // α²·w, outside both one-sided derivatives.
        using var dir = new TempDir();
        var data = dir.Linear("lin.csv", 40, 3);
        var path = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--out", path, "--layers", "2,2", "--activation", "leaky-relu", "--epochs", "1", "--quiet").Code);
        var m = ModelFile.Load(path);
        var l = m.Network.Layers;
        var zeroed = new Network([
            l[0].WithParameters(Matrix.Zeros(l[0].Inputs, 2), Vector.Zeros(2)),
            l[1].WithParameters(Matrix.FromRows([[-1.0, -0.5], [-2.0, -1.0]]), Vector.Zeros(2)),
            l[2].WithParameters(Matrix.Init(2, l[2].Outputs, (r, c) => 1.0 + r), Vector.Zeros(l[2].Outputs))]);
        ModelFile.Save(path, m with { Network = zeroed });

        var r = NnCli.Run("gradcheck", "--model", path, "--data", data);
        Assert.True(r.Code == 1, r.Out + r.Err);
        Assert.Matches(@"(?m)^b1 .*FAILED \(2\)$", r.Out);
        Assert.EndsWith("Gradient check FAILED.", r.Out.TrimEnd());
        var j = NnCli.Run("gradcheck", "--model", path, "--data", data, "--json");
        Assert.Equal(1, j.Code);
        using var json = JsonDocument.Parse(j.Out);
        Assert.Equal("failed", json.RootElement.GetProperty("verdict").GetString());
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
    }

    [Fact]
    public void The_exit_codes_are_in_the_help()
    {
        var r = NnCli.Run("gradcheck", "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("0 passed, 1 failed", r.Out);
        Assert.Contains("4 inconclusive", r.Out);
        Assert.Equal(4, CliApp.Inconclusive);
        Assert.Equal(4, GradcheckCommand.ExitCode(GradientVerdict.Inconclusive));
    }
}
