using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>
/// <c>nn export --float32</c> refuses a model with a value beyond float's range (it would become ±∞): one line naming the
/// tensor, the position and the value, exit 2, nothing written; the double export of the same model works.
/// </summary>
public class Float32ExportTests
{
    /// <summary>Trains a small model and saves it with <paramref name="edit"/> applied.</summary>
    private static string Model(TempDir dir, Func<Model, Model> edit)
    {
        var data = dir.Blobs("blobs.csv", 60, 4);
        var path = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--out", path, "--layers", "4", "--epochs", "2", "--quiet").Code);
        ModelFile.Save(path, edit(ModelFile.Load(path)));
        return path;
    }

    [Fact]
    public void A_finite_weight_beyond_float_range_is_refused_naming_the_tensor_and_the_value()
    {
        using var dir = new TempDir();
        var model = Model(dir, m =>
        {
            var first = m.Network.Layers[0];
            var weights = Matrix.Init(first.Inputs, first.Outputs, (r, c) => r == 1 && c == 2 ? 1e308 : first.Weights[r, c]);
            return m with { Network = new Network([first.WithParameters(weights, first.Bias), .. m.Network.Layers.Skip(1)]) };
        });
        var onnx = dir.File("m.onnx");
        var r = NnCli.Run("export", "--model", model, "--onnx", onnx, "--float32");
        Assert.Equal(CliApp.BadInput, r.Code);
        var line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^nn: --float32: .*m\.safetensors: layers\.0\.weight\[1, 2\] is 1E\+308, beyond the float32 range \(±3\.4028235E\+38\); export without --float32 to keep double precision\.$", line);
        Assert.False(File.Exists(onnx));
        Assert.Equal(["blobs.csv", "m.safetensors"], dir.Names());

        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", onnx).Code);
        Assert.True(File.Exists(onnx));
    }

    [Fact]
    public void A_scaling_value_beyond_float_range_is_refused_too()
    {
        using var dir = new TempDir();
        var model = Model(dir, m => m with { Info = m.Info with { Scaling = m.Info.Scaling with { Offset = Vector.Of(-5e38, 0) } } });
        var r = NnCli.Run("export", "--model", model, "--onnx", dir.File("m.onnx"), "--float32");
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.EndsWith("feature_scaling.offset[0] is -5E+38, beyond the float32 range (±3.4028235E+38); export without --float32 to keep double precision.",
            Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(ModelFile.Load(model), OnnxPrecision.Float32));
        Assert.Equal(["blobs.csv", "m.safetensors"], dir.Names());
    }

    [Fact]
    public void The_largest_float_itself_and_tiny_values_are_exported()
    {
        using var dir = new TempDir();
        var model = Model(dir, m => m with { Info = m.Info with { Scaling = m.Info.Scaling with { Offset = Vector.Of(float.MaxValue, 1e-300) } } });
        Assert.Null(OnnxExport.Float32Overflow(ModelFile.Load(model)));
        Assert.Equal(0, NnCli.Run("export", "--model", model, "--onnx", dir.File("m.onnx"), "--float32").Code);
    }
}
