using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>Bad input is refused before training: exit code 2, one line on stderr naming the file/line/column or flag, nothing written.</summary>
public class BadInputTests
{
    [Theory]
    [InlineData("--lr", "-1", "--lr")]
    [InlineData("--layers", "0", "--layers")]
    [InlineData("--layers", "8,x", "--layers")]
    [InlineData("--batch-size", "0", "--batch-size")]
    [InlineData("--epochs", "-3", "--epochs")]
    [InlineData("--optimizer", "adagrad", "--optimizer")]
    [InlineData("--dropout", "1", "--dropout")]
    [InlineData("--activation", "softmax", "--activation")]
    [InlineData("--scale", "robust", "--scale")]
    public void Nonsense_flags_are_refused_naming_the_flag(string flag, string value, string expected)
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 30, 1);
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", data, "--out", model, flag, value), expected);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void A_ragged_row_is_refused_with_file_line_and_column()
    {
        using var dir = new TempDir();
        var data = dir.Write("bad.csv", "a,b,label\n1,2,0\n3,4\n5,6,1\n");
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", data, "--out", model), "bad.csv:3:", "3 fields");
        Assert.False(File.Exists(model));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_non_numeric_feature_is_refused_with_its_line_and_column()
    {
        using var dir = new TempDir();
        var data = dir.Write("bad.csv", "a,b,label\n1,2,0\n3,oops,1\n");
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors")), "bad.csv:3:2", "oops");
    }

    [Fact]
    public void A_missing_target_column_lists_the_columns_there_are()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 30, 1);
        Refused(NnCli.Run("train", "--data", data, "--target", "species", "--out", dir.File("m.safetensors")), "species", "a, b, class");
    }

    [Fact]
    public void A_single_class_is_refused()
    {
        using var dir = new TempDir();
        var data = dir.Write("one.csv", "a,label\n1,x\n2,x\n3,x\n");
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors")), "single class");
    }

    [Fact]
    public void A_missing_file_is_refused()
    {
        using var dir = new TempDir();
        Refused(NnCli.Run("train", "--data", dir.File("nope.csv"), "--out", dir.File("m.safetensors")), "nope.csv");
    }

    [Fact]
    public void Predict_with_missing_features_says_which_names_differ()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 60, 1);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--epochs", "2", "--out", model, "--quiet").Code);
        var other = dir.Write("other.csv", "a,z\n1,2\n");
        var output = dir.File("p.csv");
        Refused(NnCli.Run("predict", "--model", model, "--data", other, "--out", output), "missing: b");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Eval_with_a_label_the_model_never_saw_is_refused()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 60, 1);
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", data, "--epochs", "2", "--out", model, "--quiet").Code);
        var other = dir.Write("other.csv", "a,b,class\n1,2,7\n");
        Refused(NnCli.Run("eval", "--model", model, "--data", other), "'7'", "not seen in training");
    }

    [Fact]
    public void An_unknown_command_or_flag_is_a_parse_error_with_exit_code_2()
    {
        var r = NnCli.Run("train", "--data", "x.csv", "--out", "m", "--bogus");
        Assert.Equal(2, r.Code);
        Assert.Contains("--bogus", r.Err);
    }

    [Fact]
    public void Verbose_adds_the_stack_trace()
    {
        using var dir = new TempDir();
        var r = NnCli.Run("train", "--data", dir.File("nope.csv"), "--out", dir.File("m"), "--verbose");
        Assert.Equal(2, r.Code);
        Assert.Contains("   at ", r.Err);
    }
}
