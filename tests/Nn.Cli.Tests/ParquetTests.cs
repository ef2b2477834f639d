using System.Globalization;
using System.Text;
using Nn;
using Nn.Shell;

namespace Nn.Cli.Tests;

/// <summary>Parquet input for nn train, eval and predict: the CSV column rules, the same numbers, and one-line refusals.</summary>
public class ParquetTests
{
    private static (int Code, string Out, string Err) Refused((int Code, string Out, string Err) r, params string[] fragments)
    {
        Assert.Equal(2, r.Code);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "one line on stderr, got: " + r.Err);
        foreach (var f in fragments) Assert.Contains(f, r.Err);
        return r;
    }

    /// <summary>Moons as (x1, x2, label) columns, and the same rows as a CSV with round-trip numbers.</summary>
    private static (double[] X1, double[] X2, string[] Labels) Moons(int count, long seed)
    {
        var d = Synthetic.Moons(Key.FromSeed(seed), count, 0.15);
        return ([.. Enumerable.Range(0, d.Count).Select(r => d.X[r, 0])], [.. Enumerable.Range(0, d.Count).Select(r => d.X[r, 1])],
            [.. Enumerable.Range(0, d.Count).Select(r => d.Labels[r] == 0 ? "left" : "right")]);
    }

    private static string Csv(TempDir dir, string name, (double[] X1, double[] X2, string[] Labels) m)
    {
        var sb = new StringBuilder("x1,x2,label\n");
        for (var r = 0; r < m.X1.Length; r++) sb.Append(CultureInfo.InvariantCulture, $"{m.X1[r]:R},{m.X2[r]:R},{m.Labels[r]}\n");
        return dir.Write(name, sb.ToString());
    }

    private static string Parquet(TempDir dir, string name, (double[] X1, double[] X2, string[] Labels) m, int rowGroups = 3) =>
        ParquetFile.Write(dir.File(name), rowGroups,
            ParquetColumn.Doubles("x1", m.X1), ParquetColumn.Doubles("x2", m.X2), ParquetColumn.Strings("label", m.Labels));

    [Fact]
    public void Training_on_parquet_gives_the_parameters_training_on_the_same_csv_gives()
    {
        using var dir = new TempDir();
        var m = Moons(200, 4);
        var csv = Csv(dir, "moons.csv", m);
        var parquet = Parquet(dir, "moons.parquet", m);
        var fromCsv = dir.File("csv.safetensors");
        var fromParquet = dir.File("parquet.safetensors");
        string[] settings = ["--layers", "8", "--epochs", "15", "--lr", "0.01", "--seed", "2", "--quiet"];
        var a = NnCli.Run(["train", "--data", csv, "--out", fromCsv, .. settings]);
        Assert.True(a.Code == 0, a.Err);
        var b = NnCli.Run(["train", "--data", parquet, "--out", fromParquet, .. settings]);
        Assert.True(b.Code == 0, b.Err);

        var c = ModelFile.Load(fromCsv);
        var p = ModelFile.Load(fromParquet);
        Assert.Equal(ModelFile.ParametersSha256(c.Network), ModelFile.ParametersSha256(p.Network));
        Assert.True(Parameters.BitEquals(c.Network, p.Network));
        Assert.Equal(["x1", "x2"], p.Info.FeatureNames.ToArray());
        Assert.Equal(["left", "right"], p.Info.Labels.ToArray());
        Assert.Equal("label", p.Info.TargetName);
        Assert.Equal(DataSource.Hash(parquet, null), p.Info.DataSha256);
        Assert.NotEqual(c.Info.DataSha256, p.Info.DataSha256);
    }

    [Fact]
    public void Integer_and_float_columns_read_exactly_and_a_numeric_target_becomes_its_csv_text()
    {
        using var dir = new TempDir();
        var d = Synthetic.Blobs(Key.FromSeed(5), 90, 3, 2, 1.0);
        var a = Enumerable.Range(0, d.Count).Select(r => (float)d.X[r, 0]).ToArray();
        var b = Enumerable.Range(0, d.Count).Select(r => (long)Math.Round(10 * d.X[r, 1])).ToArray();
        var labels = Enumerable.Range(0, d.Count).Select(r => (long)d.Labels[r]).ToArray();
        var parquet = ParquetFile.Write(dir.File("blobs.parquet"), 2, ParquetColumn.Floats("a", a), ParquetColumn.Longs("b", b), ParquetColumn.Longs("class", labels));
        var sb = new StringBuilder("a,b,class\n");
        for (var r = 0; r < d.Count; r++) sb.Append(CultureInfo.InvariantCulture, $"{(double)a[r]:R},{b[r]},{labels[r]}\n");
        var csv = dir.Write("blobs.csv", sb.ToString());

        var fromParquet = DataSource.ForTraining(parquet, null, null);
        var fromCsv = DataSource.ForTraining(csv, null, null);
        Assert.Equal(fromCsv.Features, fromParquet.Features);
        Assert.Equal(fromCsv.TargetCells.ToArray(), fromParquet.TargetCells.ToArray());
        Assert.Equal(["a", "b"], fromParquet.FeatureNames.ToArray());
        Assert.Equal(TaskKind.Classification, fromParquet.InferTask());
    }

    [Fact]
    public void Eval_and_predict_read_parquet_columns_by_name_like_a_csv()
    {
        using var dir = new TempDir();
        var train = Csv(dir, "train.csv", Moons(200, 1));
        var m = Moons(60, 2);
        var testCsv = Csv(dir, "test.csv", m);
        // Other column order, an extra column the model does not use.
        var testParquet = ParquetFile.Write(dir.File("test.parquet"), 2, ParquetColumn.Strings("label", m.Labels), ParquetColumn.Doubles("x2", m.X2),
            ParquetColumn.Longs("id", [.. Enumerable.Range(0, 60).Select(i => (long)i)]), ParquetColumn.Doubles("x1", m.X1));
        var model = dir.File("m.safetensors");
        Assert.Equal(0, NnCli.Run("train", "--data", train, "--layers", "8", "--epochs", "10", "--seed", "1", "--out", model, "--quiet").Code);

        var ec = NnCli.Run("eval", "--model", model, "--data", testCsv, "--json");
        var ep = NnCli.Run("eval", "--model", model, "--data", testParquet, "--json");
        Assert.True(ep.Code == 0, ep.Err);
        Assert.Equal(ec.Out, ep.Out);
        Assert.Contains("'id'", ep.Err); // the unused-column note

        var pc = dir.File("pc.csv");
        var pp = dir.File("pp.csv");
        Assert.Equal(0, NnCli.Run("predict", "--model", model, "--data", testCsv, "--out", pc, "--proba").Code);
        var r = NnCli.Run("predict", "--model", model, "--data", testParquet, "--out", pp, "--proba");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(File.ReadAllBytes(pc), File.ReadAllBytes(pp));
        Assert.Equal(61, File.ReadAllLines(pp).Length);
    }

    [Fact]
    public void A_null_feature_cell_is_refused_with_its_row_and_column()
    {
        using var dir = new TempDir();
        var m = Moons(40, 3);
        var b = m.X2.Select(v => (double?)v).ToArray();
        b[26] = null; // row 27, in the second of two row groups
        var data = ParquetFile.Write(dir.File("holes.parquet"), 2, ParquetColumn.Doubles("x1", m.X1), ParquetColumn.Doubles("x2", b), ParquetColumn.Strings("label", m.Labels));
        var model = dir.File("m.safetensors");
        Refused(NnCli.Run("train", "--data", data, "--out", model), "holes.parquet:27:2:", "row 27", "'x2'", "null");
        Assert.False(File.Exists(model));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_null_target_cell_is_refused_with_its_row()
    {
        using var dir = new TempDir();
        var m = Moons(40, 3);
        var labels = m.Labels.Select(l => (string?)l).ToArray();
        labels[4] = null;
        var data = ParquetFile.Write(dir.File("t.parquet"), 1, ParquetColumn.Doubles("x1", m.X1), ParquetColumn.Doubles("x2", m.X2), ParquetColumn.Strings("label", labels));
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors")), "t.parquet:5:3:", "row 5", "'label'", "null");

        var ints = Enumerable.Range(0, 40).Select(i => (int?)(i % 2)).ToArray();
        ints[39] = null;
        var numeric = ParquetFile.Write(dir.File("n.parquet"), 1, ParquetColumn.Doubles("x1", m.X1), ParquetColumn.Ints("y", ints));
        Refused(NnCli.Run("train", "--data", numeric, "--out", dir.File("m.safetensors")), "n.parquet:40:2:", "row 40", "'y'");
    }

    [Fact]
    public void A_non_numeric_feature_column_is_refused_naming_it()
    {
        using var dir = new TempDir();
        var m = Moons(40, 3);
        var text = ParquetFile.Write(dir.File("s.parquet"), 1, ParquetColumn.Strings("colour", m.Labels), ParquetColumn.Doubles("x2", m.X2), ParquetColumn.Strings("label", m.Labels));
        Refused(NnCli.Run("train", "--data", text, "--out", dir.File("m.safetensors")), "s.parquet:", "'colour'", "string", "expected numbers");
        var flags = ParquetFile.Write(dir.File("b.parquet"), 1, ParquetColumn.Bools("flag", [.. m.Labels.Select(l => l == "left")]), ParquetColumn.Strings("label", m.Labels));
        Refused(NnCli.Run("train", "--data", flags, "--out", dir.File("m.safetensors")), "b.parquet:", "'flag'", "boolean");
    }

    [Fact]
    public void A_missing_target_column_lists_the_columns_there_are()
    {
        using var dir = new TempDir();
        var data = Parquet(dir, "d.parquet", Moons(40, 3));
        var r = Refused(NnCli.Run("train", "--data", data, "--target", "species", "--out", dir.File("m.safetensors")), "d.parquet: ", "species", "x1, x2, label");
        Assert.DoesNotContain("d.parquet:1:", r.Err);
    }

    [Fact]
    public void An_integer_beyond_two_to_the_53_and_a_nan_are_refused_with_their_rows()
    {
        using var dir = new TempDir();
        var m = Moons(10, 3);
        var big = Enumerable.Range(0, 10).Select(i => (long)i).ToArray();
        big[6] = (1L << 53) + 1;
        var data = ParquetFile.Write(dir.File("big.parquet"), 1, ParquetColumn.Longs("n", big), ParquetColumn.Strings("label", m.Labels));
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors")), "big.parquet:7:1:", "2^53", "9007199254740993");
        var x = (double[])m.X1.Clone();
        x[2] = double.NaN;
        var nan = ParquetFile.Write(dir.File("nan.parquet"), 1, ParquetColumn.Doubles("x1", x), ParquetColumn.Strings("label", m.Labels));
        Refused(NnCli.Run("train", "--data", nan, "--out", dir.File("m.safetensors")), "nan.parquet:3:1:", "finite");
    }

    [Fact]
    public void A_file_that_is_not_parquet_is_refused_in_one_line()
    {
        using var dir = new TempDir();
        var data = dir.Write("fake.parquet", "x1,x2,label\n1,2,a\n");
        Refused(NnCli.Run("train", "--data", data, "--out", dir.File("m.safetensors")), "fake.parquet: ", "Parquet");
    }

    [Fact]
    public void Target_cell_messages_name_the_row_and_column_messages_name_none()
    {
        using var dir = new TempDir();
        var m = Moons(40, 3);
        var labels = m.Labels.Select((l, i) => i == 12 ? "n/a" : i % 2 == 0 ? "1.5" : "2.5").ToArray();
        var data = ParquetFile.Write(dir.File("r.parquet"), 2, ParquetColumn.Doubles("x1", m.X1), ParquetColumn.Strings("y", labels));
        Refused(NnCli.Run("train", "--data", data, "--task", "regression", "--out", dir.File("m.safetensors")), "r.parquet:13:2:", "n/a");
        var ids = ParquetFile.Write(dir.File("ids.parquet"), 1, ParquetColumn.Doubles("x1", [.. Enumerable.Range(0, 1200).Select(i => (double)i)]),
            ParquetColumn.Strings("id", [.. Enumerable.Range(0, 1200).Select(i => $"id{i}")]));
        var r = Refused(NnCli.Run("train", "--data", ids, "--out", dir.File("m.safetensors")), "ids.parquet: ", "'id'");
        Assert.DoesNotContain("ids.parquet:1:", r.Err);
    }
}
