using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Nn.Shell;
using Nn.Tests.Shared;
using static Nn.Cli.Tests.CliAssert;

namespace Nn.Cli.Tests;

/// <summary>
/// The catalogue of bad input from issue 6, each class run end-to-end through the real command: exit code 2, exactly one
/// line on stderr naming the file (and line:column where there is one) or the flag, no stack trace, and nothing written.
/// (Nonsense flags, the missing target and unseen labels are in <see cref="BadInputTests"/>.)
/// </summary>
public class BadInputCatalogTests
{
    /// <summary>Trains on <paramref name="csv"/> and checks the refusal, that no model and no temporary file was written.</summary>
    private static void TrainRefuses(string csv, string[] extra, params string[] fragments)
    {
        using var dir = new TempDir();
        var data = dir.Write("bad.csv", csv);
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run(["train", "--data", data, "--out", model, "--epochs", "2", .. extra]), ["bad.csv", .. fragments]);
        Assert.Equal(["bad.csv"], dir.Names());
    }

    // ---- CSV ----

    [Fact] public void Empty_file() => TrainRefuses("", [], "bad.csv:1:1", "found an empty file");

    [Fact] public void Header_only() => TrainRefuses("a,b,label\n", [], "bad.csv:2:1", "expected data rows after the header");

    [Fact] public void Ragged_row_with_too_few_fields() => TrainRefuses("a,b,label\n1,2,0\n3,4\n", [], "bad.csv:3:3", "expected 3 fields", "found 2");

    [Fact] public void Ragged_row_with_too_many_fields() => TrainRefuses("a,b,label\n1,2,0\n3,4,1,9\n", [], "bad.csv:3:4", "expected 3 fields", "found 4");

    [Fact] public void Non_numeric_cell() => TrainRefuses("a,b,label\n1,2,0\n3,four,1\n", [], "bad.csv:3:2", "column 'b'", "'four'");

    [Fact] public void Empty_cell() => TrainRefuses("a,b,label\n1,2,0\n3,,1\n", [], "bad.csv:3:2", "found an empty field");

    [Theory]
    [InlineData("NaN", "expected a finite number in column 'a', found 'NaN'")]
    [InlineData("Infinity", "found 'Infinity'")]
    [InlineData("-Infinity", "found '-Infinity'")]
    [InlineData("1e400", "found '1e400' (beyond the range of a double)")]
    public void Non_finite_numbers(string cell, string message) => TrainRefuses($"a,b,label\n1,2,0\n{cell},4,1\n", [], "bad.csv:3:1", message);

    [Fact]
    public void Culture_trap_decimal_comma() =>
        TrainRefuses("a,b,label\n1,2,0\n\"1,5\",4,1\n", [], "bad.csv:3:1", "'1,5'", "use '.' as the decimal separator");

    [Fact] public void Duplicate_header_names() => TrainRefuses("a,a,label\n1,2,0\n3,4,1\n", [], "bad.csv:1:2", "found 'a' again");

    [Fact] public void Blank_header_name() => TrainRefuses("a, ,label\n1,2,0\n3,4,1\n", [], "bad.csv:1:2", "found an empty one");

    [Fact] public void Missing_target_lists_the_columns() => TrainRefuses("a,b,label\n1,2,0\n3,4,1\n", ["--target", "y"], "no target column 'y'", "the columns are: a, b, label");

    [Fact] public void A_single_class() => TrainRefuses("a,b,label\n1,2,x\n3,4,x\n5,1,x\n", [], "target column 'label' has a single class 'x'");

    // Issue 19 changed these: a constant column used to be refused (exit 2) unless --scale none or --allow-constant; it
    // is now kept with scale 1 and named in a one-line note on stderr, and --drop-constant drops it.
    [Theory]
    [InlineData("standard")]
    [InlineData("minmax")]
    public void A_constant_feature_column_is_kept_under_scaling_with_a_note(string scale)
    {
        using var dir = new TempDir();
        var data = dir.Write("c.csv", Table(r => $"{r},7,{r % 2}"));
        var r = NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "2", "--quiet", "--scale", scale]);
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("c.csv: column 'b' is constant in the training data; kept with scale 1", r.Err);
        Assert.Contains(lines, l => l.StartsWith("nn: note: ", StringComparison.Ordinal) && l.Contains("--drop-constant", StringComparison.Ordinal));
        Assert.Equal(["a", "b"], Nn.Shell.ModelFile.Load(dir.File("m.safetensors")).Info.FeatureNames.ToArray());
    }

    [Fact]
    public void Several_constant_columns_are_all_named_in_the_note()
    {
        using var dir = new TempDir();
        var data = dir.Write("c.csv", "a,b,c,label\n" + string.Concat(Enumerable.Range(0, 20).Select(r => $"0,{r},5,{r % 2}\n")));
        var r = NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "2", "--quiet"]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("columns 'a', 'c' are constant", r.Err);
    }

    [Fact]
    public void Drop_constant_drops_them_and_the_model_reads_the_right_columns()
    {
        using var dir = new TempDir();
        var data = dir.Write("c.csv", "a,b,c,label\n" + string.Concat(Enumerable.Range(0, 40).Select(r => $"0,{r},5,{r % 2}\n")));
        var model = dir.File("m.safetensors");
        var r = NnCli.Run(["train", "--data", data, "--out", model, "--epochs", "2", "--quiet", "--drop-constant"]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("dropped columns 'a', 'c'", r.Err);
        var info = Nn.Shell.ModelFile.Load(model).Info;
        Assert.Equal(["b"], info.FeatureNames.ToArray());
        Assert.Contains(info.Training, s => s.Name == "drop_constant" && s.Value == "true");
        // eval reads column b by name, and names the columns the model does not use.
        var e = NnCli.Run(["eval", "--model", model, "--data", data]);
        Assert.True(e.Code == 0, e.Err);
        Assert.Contains("columns 'a', 'c' are not used by the model", e.Err);
        // A file with the columns in another order gives the same predictions.
        var swapped = dir.Write("s.csv", "c,label,b,a\n" + string.Concat(Enumerable.Range(0, 40).Select(r => $"5,{r % 2},{r},0\n")));
        var p1 = NnCli.Run(["predict", "--model", model, "--data", data, "--out", dir.File("p1.csv")]);
        var p2 = NnCli.Run(["predict", "--model", model, "--data", swapped, "--out", dir.File("p2.csv")]);
        Assert.True(p1.Code == 0 && p2.Code == 0, p1.Err + p2.Err);
        Assert.Equal(File.ReadAllText(dir.File("p1.csv")), File.ReadAllText(dir.File("p2.csv")));
    }

    [Fact]
    public void A_constant_column_without_scaling_gets_no_note()
    {
        using var dir = new TempDir();
        var data = dir.Write("c.csv", Table(r => $"{r},7,{r % 2}"));
        var r = NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--epochs", "2", "--quiet", "--scale", "none"]);
        Assert.True(r.Code == 0, r.Err);
        Assert.DoesNotContain("constant", r.Err);
    }

    private static string Table(Func<int, string> row) => "a,b,label\n" + string.Concat(Enumerable.Range(0, 30).Select(r => row(r) + "\n"));

    // ---- a model meets other data ----

    private static readonly Lazy<(byte[] Model, string Csv)> Trained = new(() =>
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 60, 1);
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--layers", "4", "--epochs", "2", "--out", model, "--quiet");
        Assert.True(r.Code == 0, r.Err);
        return (File.ReadAllBytes(model), File.ReadAllText(data));
    });

    /// <summary>Runs eval and predict with <paramref name="modelBytes"/> on <paramref name="csv"/>; both must refuse and write nothing.</summary>
    private static void EvalAndPredictRefuse(byte[] modelBytes, string csv, params string[] fragments)
    {
        using var dir = new TempDir();
        var model = dir.File("model.safetensors");
        File.WriteAllBytes(model, modelBytes);
        var data = dir.Write("data.csv", csv);
        Refused(NnCli.Run("eval", "--model", model, "--data", data), fragments);
        var output = dir.File("p.csv");
        Refused(NnCli.Run("predict", "--model", model, "--data", data, "--out", output), fragments);
        Assert.Equal(["data.csv", "model.safetensors"], dir.Names());
    }

    [Fact]
    public void Wrong_feature_names_say_which_differ() =>
        EvalAndPredictRefuse(Trained.Value.Model, "a,z,class\n1,2,0\n", "data.csv", "has 1 of the model's 2 features; missing: b");

    [Fact]
    public void Wrong_feature_count_in_npy_says_has_n_features_model_expects_m()
    {
        using var dir = new TempDir();
        var model = dir.File("model.safetensors");
        File.WriteAllBytes(model, Trained.Value.Model);
        var x = dir.File("x.npy");
        Npy.Write(x, NpyArray.FromMatrix(Matrix.FromRows([[1.0, 2.0, 3.0]])));
        var output = dir.File("p.csv");
        Refused(NnCli.Run("predict", "--model", model, "--data", x, "--out", output), "x.npy", "has 3 features, model expects 2");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Labels_the_model_never_saw_are_refused_at_eval_time()
    {
        using var dir = new TempDir();
        var model = dir.File("model.safetensors");
        File.WriteAllBytes(model, Trained.Value.Model);
        var data = dir.Write("data.csv", "a,b,class\n1,2,0\n1,2,cat\n");
        Refused(NnCli.Run("eval", "--model", model, "--data", data), "data.csv", "'cat'", "not seen in training");
    }

    [Fact]
    public void Eval_with_a_target_that_is_one_of_the_features_is_refused()
    {
        using var dir = new TempDir();
        var model = dir.File("model.safetensors");
        File.WriteAllBytes(model, Trained.Value.Model);
        var data = dir.Write("data.csv", Csv);
        Refused(NnCli.Run("eval", "--model", model, "--data", data, "--target", "a"), "data.csv:1:0", "target column 'a' is one of the model's input features");
    }

    // ---- model files, through eval and predict ----

    /// <summary>The safetensors pieces of the trained model: header JSON and data buffer.</summary>
    private static (JsonObject Header, byte[] Data) Pieces()
    {
        var bytes = Trained.Value.Model;
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return (JsonNode.Parse(bytes.AsSpan(8, n))!.AsObject(), bytes[(8 + n)..]);
    }

    private static byte[] Edited(Action<JsonObject> edit)
    {
        var (header, data) = Pieces();
        edit(header);
        return Raw.File(header.ToJsonString(), data);
    }

    private static string Csv => Trained.Value.Csv;

    [Fact] public void Model_empty() => EvalAndPredictRefuse([], Csv, "model.safetensors: the file is empty");

    [Fact] public void Model_truncated() => EvalAndPredictRefuse(Trained.Value.Model[..^3], Csv, "model.safetensors: ");

    [Fact] public void Model_with_trailing_bytes() => EvalAndPredictRefuse([.. Trained.Value.Model, 0, 0, 0, 0, 0, 0, 0, 0], Csv, "model.safetensors: ", "trailing bytes");

    [Fact] public void Model_header_not_json() => EvalAndPredictRefuse(Raw.File("{\"not json", Pieces().Data), Csv, "model.safetensors: ", "not valid JSON");

    [Fact] public void Model_header_oversized() => EvalAndPredictRefuse(Raw.File("{}", [], 200_000_000), Csv, "model.safetensors: ", "exceeds the 100000000-byte limit");

    [Fact]
    public void Model_with_overlapping_offsets() =>
        EvalAndPredictRefuse(Edited(h => h["layers.0.bias"]!["data_offsets"] = h["layers.0.weight"]!["data_offsets"]!.DeepClone()), Csv, "model.safetensors: ");

    [Fact]
    public void Model_with_a_hole_in_the_offsets() =>
        EvalAndPredictRefuse(Edited(h =>
        {
            var offsets = h["layers.1.bias"]!["data_offsets"]!.AsArray();
            var (start, end) = ((long)offsets[0]!, (long)offsets[1]!);
            h["layers.1.bias"]!["data_offsets"] = new JsonArray(start + 8, end + 8);
        }), Csv, "model.safetensors: ");

    [Fact]
    public void Model_with_a_shape_not_matching_the_byte_count() =>
        EvalAndPredictRefuse(Edited(h => h["layers.0.bias"]!["shape"] = new JsonArray(99)), Csv, "model.safetensors: ", "needs");

    [Fact]
    public void Model_with_an_unknown_activation() =>
        EvalAndPredictRefuse(Edited(h => h["__metadata__"]!["architecture"] = ((string)h["__metadata__"]!["architecture"]!).Replace("relu", "swish", StringComparison.Ordinal)),
            Csv, "model.safetensors: ", "unknown activation 'swish'");

    [Fact]
    public void Model_of_a_newer_format_version() =>
        EvalAndPredictRefuse(Edited(h => h["__metadata__"]!["format_version"] = "4"), Csv, "model.safetensors: ", "version");

    [Fact]
    public void Model_with_a_nan_weight()
    {
        var (header, data) = Pieces();
        var start = (int)(long)header["layers.0.weight"]!["data_offsets"]![0]!;
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(start), double.NaN);
        EvalAndPredictRefuse(Raw.File(header.ToJsonString(), data), Csv, "model.safetensors: ", "layers.0.weight holds NaN");
    }

    // ---- .npy through nn train ----

    private static byte[] NpyBytes(string header, byte[] data, byte[]? magic = null)
    {
        var total = (10 + header.Length + 1 + 63) / 64 * 64;
        var text = header.PadRight(total - 11) + "\n";
        var bytes = new List<byte>(magic ?? [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']) { 1, 0, (byte)(text.Length & 0xFF), (byte)(text.Length >> 8) };
        bytes.AddRange(Encoding.ASCII.GetBytes(text));
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static byte[] Doubles(int count) => [.. Enumerable.Range(0, count).SelectMany(i => BitConverter.GetBytes((double)i))];

    private static void NpyTrainRefuses(byte[] x, params string[] fragments)
    {
        using var dir = new TempDir();
        var xPath = dir.File("x.npy");
        File.WriteAllBytes(xPath, x);
        var y = dir.File("y.npy");
        Npy.Write(y, new NpyArray([4], "<f8", [0, 1, 0, 1]));
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", xPath, "--labels", y, "--out", model, "--epochs", "1"), ["x.npy: ", .. fragments]);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Npy_sanity_a_well_formed_file_trains()
    {
        using var dir = new TempDir();
        var x = dir.File("x.npy");
        File.WriteAllBytes(x, NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }", Doubles(8)));
        var y = dir.File("y.npy");
        Npy.Write(y, new NpyArray([4], "<f8", [0, 1, 0, 1]));
        var r = NnCli.Run("train", "--data", x, "--labels", y, "--out", dir.File("m.safetensors"), "--epochs", "1", "--quiet");
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public void Npy_bad_magic() =>
        NpyTrainRefuses(NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }", Doubles(8), "PK\u0003\u0004NP"u8.ToArray()), "magic string");

    [Fact]
    public void Npy_unsupported_dtype() =>
        NpyTrainRefuses(NpyBytes("{'descr': '<c16', 'fortran_order': False, 'shape': (4, 2), }", Doubles(16)), "c16");

    [Fact]
    public void Npy_fortran_order() =>
        NpyTrainRefuses(NpyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 2), }", Doubles(8)), "Fortran order is not supported");

    [Fact]
    public void Npy_short_data() =>
        NpyTrainRefuses(NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 2), }", Doubles(7)), "data");

    [Fact]
    public void Npy_shape_product_overflow() =>
        NpyTrainRefuses(NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", Doubles(8)), "x.npy");

    // ---- limits and flags not covered by BadInputTests ----

    [Fact]
    public void Layer_widths_whose_parameter_count_overflows_are_refused_naming_the_flag()
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 30, 1);
        var model = dir.File("m.safetensors");
        var r = NnCli.Run("train", "--data", data, "--layers", "2000000000,2000000000", "--out", model);
        Refused(r, "nn: --layers: 2 → 2000000000 → 2000000000 → 3 ");
        // The memory estimate (beyond 8 EiB) comes first; a machine with that much would meet the array limit.
        Assert.True(r.Err.Contains(".NET reports available", StringComparison.Ordinal) || r.Err.Contains("parameters; at most 2147483647", StringComparison.Ordinal), r.Err);
        Assert.False(File.Exists(model));
    }

    [Theory]
    [InlineData("--on-nan", "ignore")]
    [InlineData("--threads", "0")]
    [InlineData("--validation-fraction", "1")]
    [InlineData("--lr", "NaN")]
    public void More_nonsense_flags_are_refused_naming_the_flag(string flag, string value)
    {
        using var dir = new TempDir();
        var data = dir.Blobs("d.csv", 30, 1);
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors"), flag, value), flag);
    }
}
