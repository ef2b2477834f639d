namespace Nn.Cli.Tests;

/// <summary><c>nn export</c>'s bad input: one line on stderr, exit code 2, no ONNX file written.</summary>
public class ExportCommandTests
{
    [Fact]
    public void A_missing_model_file_exits_2_and_writes_nothing()
    {
        using var dir = new TempDir();
        var onnx = dir.File("m.onnx");
        var r = NnCli.Run("export", "--model", dir.File("missing.safetensors"), "--onnx", onnx);
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.StartsWith("nn: ", r.Err, StringComparison.Ordinal);
        Assert.Contains("missing.safetensors", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(onnx));
    }

    [Fact]
    public void A_file_that_is_not_a_model_exits_2_naming_it_and_leaves_an_existing_onnx_file_alone()
    {
        using var dir = new TempDir();
        var bad = dir.Write("bad.safetensors", "this is not a safetensors file");
        var onnx = dir.Write("m.onnx", "previous");
        var r = NnCli.Run("export", "--model", bad, "--onnx", onnx);
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Contains("bad.safetensors", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Equal("previous", File.ReadAllText(onnx));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void The_onnx_option_is_required()
    {
        var r = NnCli.Run("export", "--model", "m.safetensors");
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Contains("--onnx", r.Err, StringComparison.Ordinal);
    }
}
