using System.Collections.Immutable;
using Nn.Shell;

namespace Nn.Examples.Support;

/// <summary>A classification data set cut by its bundled split, features standardised on the train part.</summary>
/// <param name="Name">The data set's file name without extension.</param>
/// <param name="Train">The training examples (standardised features, labels).</param>
/// <param name="Test">The test examples, standardised with the scaler fitted on <paramref name="Train"/>.</param>
public sealed record ClassificationSplit(string Name, Dataset Train, Dataset Test);

/// <summary>A regression data set cut by its bundled split; features and target standardised on the train part.</summary>
/// <param name="Name">The data set's file name without extension.</param>
/// <param name="Train">The training examples (standardised features and target).</param>
/// <param name="Test">The test examples, standardised with the train part's scalers.</param>
/// <param name="TargetScaler">The target's scaler (one column), to map predictions back to the original units.</param>
/// <param name="TestTargets">The test targets in their original units, as read from the file.</param>
public sealed record RegressionSplit(string Name, RegressionDataset Train, RegressionDataset Test, StandardScaler TargetScaler, Vector TestTargets);

/// <summary>
/// The data sets bundled in <c>data/</c> (see data/README.md), read the way a user would read them: with
/// <see cref="NumericCsv"/> and <see cref="SplitFile"/> from the shell, then <see cref="StandardScaler"/> fitted on the
/// train rows only.
/// </summary>
public static class BundledData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root: the nearest folder above the test binaries that holds NnFunctional.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The path of <c>data/&lt;name&gt;.csv</c>.</summary>
    public static string DataFile(string name) => Path.Combine(RepositoryRoot, "data", name + ".csv");

    /// <summary>Reads <c>data/&lt;name&gt;.csv</c> (features, then a <c>label</c> column) and its split.</summary>
    public static ClassificationSplit Classification(string name)
    {
        var (table, split) = Read(name);
        var labelColumn = table.IndexOf("label");
        var features = FeatureColumns(table, labelColumn);
        var labels = table.Values.Column(labelColumn).ToArray().Select(v => checked((int)v)).ToImmutableArray();
        var classes = labels.Max() + 1;

        var xTrain = features.SelectRows(split.Train);
        var scaler = StandardScaler.Fit(xTrain);
        return new ClassificationSplit(
            name,
            new Dataset(StandardScaler.Transform(scaler, xTrain), Labels.Select(labels, split.Train), classes),
            new Dataset(StandardScaler.Transform(scaler, features.SelectRows(split.Test)), Labels.Select(labels, split.Test), classes));
    }

    /// <summary>Reads <c>data/&lt;name&gt;.csv</c> (features, then a <c>target</c> column) and its split.</summary>
    public static RegressionSplit Regression(string name)
    {
        var (table, split) = Read(name);
        var targetColumn = table.IndexOf("target");
        var features = FeatureColumns(table, targetColumn);
        var target = Matrix.ColumnOf(table.Values.Column(targetColumn));

        var xTrain = features.SelectRows(split.Train);
        var yTrain = target.SelectRows(split.Train);
        var xScaler = StandardScaler.Fit(xTrain);
        var yScaler = StandardScaler.Fit(yTrain);
        var yTest = target.SelectRows(split.Test);
        return new RegressionSplit(
            name,
            new RegressionDataset(StandardScaler.Transform(xScaler, xTrain), StandardScaler.Transform(yScaler, yTrain).Column(0)),
            new RegressionDataset(StandardScaler.Transform(xScaler, features.SelectRows(split.Test)), StandardScaler.Transform(yScaler, yTest).Column(0)),
            yScaler,
            yTest.Column(0));
    }

    private static (NumericTable Table, RowSplit Split) Read(string name)
    {
        var table = NumericCsv.Read(DataFile(name));
        var split = SplitFile.Read(Path.Combine(RepositoryRoot, "data", "splits", name + ".csv"));
        if (split.Train.Length + split.Test.Length != table.Values.Rows)
            throw new InvalidOperationException($"{name}: the split has {split.Train.Length} + {split.Test.Length} rows but the data {table.Values.Rows}.");
        return (table, split);
    }

    /// <summary>Every column but <paramref name="skip"/>, in file order.</summary>
    private static Matrix FeatureColumns(NumericTable table, int skip)
    {
        var keep = Enumerable.Range(0, table.Columns.Length).Where(c => c != skip).ToArray();
        var v = table.Values;
        return Matrix.Init(v.Rows, keep.Length, (r, c) => v[r, keep[c]]);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NnFunctional.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No NnFunctional.sln above {AppContext.BaseDirectory}: the examples read data/ from the repository.");
    }
}
