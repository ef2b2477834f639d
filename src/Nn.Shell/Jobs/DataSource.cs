using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;

namespace Nn.Shell;

/// <summary>Features and (optionally) the raw target column read from a data file.</summary>
/// <param name="Source">The file the data came from (for messages).</param>
/// <param name="FeatureNames">The feature column names, in model order.</param>
/// <param name="Features">The features, one example per row (rows × FeatureNames.Length).</param>
/// <param name="TargetName">The target column's name ("y" for NumPy data).</param>
/// <param name="TargetCells">The target cells as text, or empty when the file has no target column.</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the file's bytes (followed by the labels file's, if any).</param>
public sealed record LoadedData(string Source, ImmutableArray<string> FeatureNames, Matrix Features, string TargetName, ImmutableArray<string> TargetCells, string Sha256)
{
    /// <summary>Columns of a CSV matched to a model that are neither its features nor its target (ignored, in file order).</summary>
    public ImmutableArray<string> UnusedColumns { get; init; } = [];

    /// <summary>The one-line note naming <see cref="UnusedColumns"/>, or null when every column was used.</summary>
    public string? UnusedNote() => UnusedColumns.IsDefaultOrEmpty ? null
        : $"{Source}: {(UnusedColumns.Length == 1 ? "column" : "columns")} {string.Join(", ", UnusedColumns.Take(10).Select(c => $"'{c}'"))}"
          + (UnusedColumns.Length > 10 ? $" and {UnusedColumns.Length - 10} more" : "")
          + $" {(UnusedColumns.Length == 1 ? "is" : "are")} not used by the model.";

    /// <summary>True when a target column was read.</summary>
    public bool HasTarget => !TargetCells.IsDefaultOrEmpty;

    /// <summary>The number of examples.</summary>
    public int Count => Features.Rows;

    /// <summary>The target cells encoded for <paramref name="task"/> (see <see cref="TargetEncoding.Encode"/>).</summary>
    /// <exception cref="DataFileException">When a regression cell is not a finite number (names the file and the column).</exception>
    public EncodedTarget EncodeTarget(TaskKind task) => Encoded(() => TargetEncoding.Encode(TargetCells, task));

    /// <summary>The target cells encoded with a trained model's labels (see <see cref="TargetEncoding.EncodeWith"/>).</summary>
    /// <exception cref="DataFileException">When a label was never seen in training (names the file and the column).</exception>
    public EncodedTarget EncodeTarget(ImmutableArray<string> labels) => Encoded(() => TargetEncoding.EncodeWith(TargetCells, labels));

    private EncodedTarget Encoded(Func<EncodedTarget> encode)
    {
        try { return encode(); }
        catch (FormatException e) { throw new DataFileException(Source, 0, 0, $"target column '{TargetName}': {e.Message}"); }
    }

    /// <summary>Sequence equality of the arrays.</summary>
    public bool Equals(LoadedData? other) =>
        other is not null && Source == other.Source && FeatureNames.SequenceEqual(other.FeatureNames) && Features.Equals(other.Features)
        && TargetName == other.TargetName && TargetCells.SequenceEqual(other.TargetCells) && Sha256 == other.Sha256;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Source, Features, Sha256);
}

/// <summary>Reads training, evaluation and prediction data from CSV, .npy (+ labels .npy) and .npz files.</summary>
public static class DataSource
{
    /// <summary>
    /// Reads data for training: a CSV (target = <paramref name="target"/> or the last column; every other column must be
    /// numeric), an .npy feature matrix with an .npy <paramref name="labelsPath"/>, or an .npz holding arrays x and y.
    /// </summary>
    /// <exception cref="DataFileException">For unreadable or malformed data (file, line, column, what was expected).</exception>
    public static LoadedData ForTraining(string path, string? labelsPath, string? target)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".npy") return FromNpy(path, labelsPath ?? throw new DataFileException(path, 0, 0, "an .npy feature file needs --labels FILE.npy with one label per row."));
        if (ext == ".npz") return FromNpz(path, requireTarget: true);
        var frame = Csv.Read(path, header =>
        {
            if (header.Length < 2) throw new DataFileException(path, 1, 1, $"expected at least two columns (features and a target), found {header.Length}.");
            var t = target is null ? header.Length - 1 : header.IndexOf(target);
            if (t < 0) throw new DataFileException(path, 1, 0, $"no target column '{target}'; the columns are: {string.Join(", ", header)}.");
            return [.. header.Select((_, i) => i == t ? ColumnKind.Text : ColumnKind.Numeric)];
        });
        var targetIndex = target is null ? frame.Columns.Length - 1 : frame.IndexOf(target);
        var features = Enumerable.Range(0, frame.Columns.Length).Where(i => i != targetIndex).ToArray();
        return new LoadedData(path, [.. features.Select(i => frame.Columns[i])], frame.NumericMatrix(features),
            frame.Columns[targetIndex], frame.TextColumn(targetIndex), Hash(path, null));
    }

    /// <summary>
    /// Reads data for a trained model: the CSV columns named by <paramref name="featureNames"/> (in that order; other
    /// columns are ignored) and the target column when present (required when <paramref name="requireTarget"/>); or
    /// NumPy data with as many columns as the model has features.
    /// </summary>
    /// <exception cref="DataFileException">When features are missing or the count differs ("has 3 features, model expects 4").</exception>
    public static LoadedData ForModel(string path, string? labelsPath, ImmutableArray<string> featureNames, string targetName, bool requireTarget)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        LoadedData data;
        if (ext is ".npy" or ".npz")
        {
            data = ext == ".npy"
                ? labelsPath is null ? FromNpyFeaturesOnly(path) : FromNpy(path, labelsPath)
                : FromNpz(path, requireTarget);
            if (data.Features.Cols != featureNames.Length)
                throw new DataFileException(path, 0, 0, $"has {data.Features.Cols} features, model expects {featureNames.Length}.");
            if (requireTarget && !data.HasTarget) throw new DataFileException(path, 0, 0, "expected targets (--labels FILE.npy, or an array y in the .npz).");
            return data with { FeatureNames = featureNames, TargetName = targetName };
        }
        var frame = Csv.Read(path, header =>
        {
            var missing = featureNames.Where(f => !header.Contains(f)).ToList();
            if (missing.Count > 0)
            {
                var present = header.Count(h => featureNames.Contains(h));
                throw new DataFileException(path, 1, 0,
                    $"has {present} of the model's {featureNames.Length} features; missing: {string.Join(", ", missing)} (the model expects {string.Join(", ", featureNames)}).");
            }
            if (requireTarget && featureNames.Contains(targetName))
                throw new DataFileException(path, 1, 0, $"the target column '{targetName}' is one of the model's input features; name the column that holds the targets (--target).");
            if (requireTarget && !header.Contains(targetName))
                throw new DataFileException(path, 1, 0, $"no target column '{targetName}'; the columns are: {string.Join(", ", header)}.");
            return [.. header.Select(h => featureNames.Contains(h) ? ColumnKind.Numeric : h == targetName ? ColumnKind.Text : ColumnKind.Skip)];
        });
        var t = featureNames.Contains(targetName) ? -1 : frame.IndexOf(targetName);
        return new LoadedData(path, featureNames, frame.NumericMatrix([.. featureNames.Select(frame.IndexOf)]), targetName,
            t >= 0 ? frame.TextColumn(t) : [], Hash(path, null))
        {
            UnusedColumns = [.. frame.Columns.Where((_, i) => frame.Kinds[i] == ColumnKind.Skip)],
        };
    }

    private static LoadedData FromNpy(string path, string labelsPath)
    {
        var x = Npy.Read(path).ToMatrix();
        var y = Npy.Read(labelsPath);
        if (y.Values.Length != x.Rows)
            throw new DataFileException(labelsPath, 0, 0, $"has {y.Values.Length} labels but {path} has {x.Rows} rows; expected one label per row.");
        return new LoadedData(path, Names(x.Cols), x, "y", [.. y.Values.Select(Text)], Hash(path, labelsPath));
    }

    private static LoadedData FromNpyFeaturesOnly(string path)
    {
        var x = Npy.Read(path).ToMatrix();
        return new LoadedData(path, Names(x.Cols), x, "y", [], Hash(path, null));
    }

    private static LoadedData FromNpz(string path, bool requireTarget)
    {
        var arrays = Npz.Read(path);
        if (!arrays.TryGetValue("x", out var xa)) throw new DataFileException(path, 0, 0, $"expected an array named 'x'; found: {string.Join(", ", arrays.Keys)}.");
        var x = xa.ToMatrix();
        ImmutableArray<string> cells = [];
        if (arrays.TryGetValue("y", out var ya))
        {
            if (ya.Values.Length != x.Rows) throw new DataFileException(path, 0, 0, $"array y has {ya.Values.Length} values but x has {x.Rows} rows.");
            cells = [.. ya.Values.Select(Text)];
        }
        else if (requireTarget) throw new DataFileException(path, 0, 0, $"expected an array named 'y'; found: {string.Join(", ", arrays.Keys)}.");
        return new LoadedData(path, Names(x.Cols), x, "y", cells, Hash(path, null));
    }

    private static ImmutableArray<string> Names(int count) => [.. Enumerable.Range(0, count).Select(i => $"x{i}")];

    private static string Text(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>SHA-256 over the bytes of <paramref name="path"/> followed by those of <paramref name="second"/>.</summary>
    public static string Hash(string path, string? second)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in second is null ? [path] : new[] { path, second })
        {
            using var s = File.OpenRead(p);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = s.Read(buffer)) > 0) sha.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
