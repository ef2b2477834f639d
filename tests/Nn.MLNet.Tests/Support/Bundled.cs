using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Nn.MLNet.Tests.Support;

/// <summary>One data row as ML.NET reads it: float features, and the label as a number, as text (for MapValueToKey) and as a bool (class 1).</summary>
public sealed class Example
{
    public float[] Features { get; set; } = [];

    public float Label { get; set; }

    public string Class { get; set; } = "";

    public bool Positive { get; set; }
}

/// <summary>A bundled data set (data/NAME.csv) cut by its split file (data/splits/NAME.csv) into train and test rows.</summary>
public sealed record Bundled(string Name, int Width, IReadOnlyList<Example> Train, IReadOnlyList<Example> Test)
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NnFunctional.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No NnFunctional.sln above {AppContext.BaseDirectory}: the tests read data/ from the repository.");
    });

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>Reads data/<paramref name="name"/>.csv (features, then the label or target) and its 80/20 split.</summary>
    public static Bundled Load(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot, "data", name + ".csv"));
        var split = File.ReadAllLines(Path.Combine(RepositoryRoot, "data", "splits", name + ".csv")).Skip(1).Select(l => l.Split(',')[1]).ToArray();
        var rows = lines.Skip(1).Select(l => l.Split(',')).Select(cells =>
        {
            var label = cells[^1];
            return new Example
            {
                Features = [.. cells[..^1].Select(c => float.Parse(c, CultureInfo.InvariantCulture))],
                Label = float.Parse(label, CultureInfo.InvariantCulture),
                Class = label,
                Positive = label == "1",
            };
        }).ToArray();
        Assert.Equal(rows.Length, split.Length);
        return new Bundled(name, rows[0].Features.Length, [.. rows.Where((_, i) => split[i] == "train")], [.. rows.Where((_, i) => split[i] == "test")]);
    }

    /// <summary>Rows as an IDataView whose Features column is a vector of <see cref="Width"/> floats.</summary>
    public IDataView View(MLContext ml, IEnumerable<Example> rows)
    {
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Width);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>The features of <paramref name="rows"/> as the doubles Nn trains on (each float widened exactly).</summary>
    public static Matrix Matrix(IReadOnlyList<Example> rows) =>
        Nn.Matrix.Create(rows.Count, rows[0].Features.Length, rows.SelectMany(r => r.Features.Select(f => (double)f)));
}
