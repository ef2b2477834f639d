using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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
    /// <summary>Prints every property, collections by their first items (not the compiler's <c>ImmutableArray`1[…]</c>).</summary>
    private bool PrintMembers(StringBuilder builder) => Format.Members(this, builder);

    /// <summary>Columns of a CSV matched to a model that are neither its features nor its target (ignored, in file order).</summary>
    public ImmutableArray<string> UnusedColumns { get; init; } = [];

    /// <summary>The one-line note naming <see cref="UnusedColumns"/>, or null when every column was used.</summary>
    public string? UnusedNote() => DataSource.UnusedNote(Source, UnusedColumns);

    /// <summary>True when a target column (or, for several targets, every target column) was read.</summary>
    public bool HasTarget => !TargetCells.IsDefaultOrEmpty || TargetValues is not null;

    /// <summary>
    /// The target columns' names when several were read (<c>--target a,b,c</c>: a multi-output target), in output order;
    /// empty for one target (<see cref="TargetName"/>, which is then the first of them).
    /// </summary>
    public ImmutableArray<string> TargetNames { get; init; } = [];

    /// <summary>
    /// Several target columns' values, read as numbers (rows × <see cref="TargetNames"/>.Length, columns in that order);
    /// null for one target (read as text into <see cref="TargetCells"/>). <see cref="TargetLines"/> then holds each row's line.
    /// </summary>
    public Matrix? TargetValues { get; init; }

    /// <summary>The 1-based field (CSV) or column (Parquet) number of each of <see cref="TargetNames"/>, for messages; empty for one target.</summary>
    public ImmutableArray<int> TargetFields { get; init; } = [];

    /// <summary>The number of examples.</summary>
    public int Count => Features.Rows;

    /// <summary>The 1-based line of each row's target cell in a CSV file (quoted line breaks make it differ from row + 2), its 1-based row in a Parquet file, or empty.</summary>
    public ImmutableArray<int> TargetLines { get; init; } = [];

    /// <summary>The line of the header a message about the whole target column points at: 1 for a CSV, 0 (none) for a Parquet file.</summary>
    internal int HeaderLine { get; init; } = 1;

    /// <summary>The 1-based field number of the target column in a CSV (or column number in a Parquet) file, or 0 (NumPy data).</summary>
    public int TargetField { get; init; }

    /// <summary>
    /// The task the target column asks for under <c>--task auto</c> (see <see cref="TargetEncoding.Infer"/>), after
    /// <see cref="TargetChecks.Infer"/>'s refusals: an empty cell, a column of numbers with a few other cells, or an identifier-like column.
    /// </summary>
    /// <exception cref="DataFileException">Naming the file, line and field of the offending cell (or the column).</exception>
    public TaskKind InferTask() => TargetChecks.Infer(this);

    /// <summary>The target cells encoded for <paramref name="task"/> (see <see cref="TargetEncoding.Encode"/>).</summary>
    /// <exception cref="DataFileException">When a cell is empty, a regression cell is not a finite number, or a classification
    /// target has more than <see cref="ReadLimits.MaxClasses"/> classes (names the file, line and field).</exception>
    public EncodedTarget EncodeTarget(TaskKind task)
    {
        TargetChecks.RefuseEmpty(this);
        if (task == TaskKind.Regression) TargetChecks.RefuseNonNumbers(this);
        else TargetChecks.RefuseTooManyClasses(this);
        return Encoded(() => TargetEncoding.Encode(TargetCells, task));
    }

    /// <summary>The target cells encoded with a trained model's labels (see <see cref="TargetEncoding.EncodeWith"/>).</summary>
    /// <exception cref="DataFileException">When a cell is empty or its label was never seen in training (names the file, line and field).</exception>
    public EncodedTarget EncodeTarget(ImmutableArray<string> labels)
    {
        TargetChecks.RefuseEmpty(this);
        TargetChecks.RefuseUnknownLabels(this, labels);
        return Encoded(() => TargetEncoding.EncodeWith(TargetCells, labels));
    }

    private EncodedTarget Encoded(Func<EncodedTarget> encode)
    {
        try { return encode(); }
        catch (FormatException e) { throw new DataFileException(Source, 0, 0, $"target column '{TargetName}': {e.Message}"); }
    }

    /// <summary>The rows <paramref name="rows"/> (0-based), in that order, with their targets.</summary>
    internal LoadedData WithRows(IReadOnlyList<int> rows) => this with
    {
        Features = Features.SelectRows(rows),
        TargetCells = TargetCells.IsDefaultOrEmpty ? TargetCells : [.. rows.Select(i => TargetCells[i])],
        TargetLines = TargetLines.IsDefaultOrEmpty ? [] : [.. rows.Select(i => TargetLines[i])],
        TargetValues = TargetValues?.SelectRows(rows),
    };

    /// <summary>Only the feature columns <paramref name="columns"/> (0-based), in that order, and their names.</summary>
    internal LoadedData WithColumns(IReadOnlyList<int> columns) => this with
    {
        FeatureNames = [.. columns.Select(c => FeatureNames[c])],
        Features = Matrix.Init(Features.Rows, columns.Count, (r, c) => Features[r, columns[c]]),
    };

    /// <summary>Sequence equality of the arrays.</summary>
    public bool Equals(LoadedData? other) =>
        other is not null && Source == other.Source && FeatureNames.SequenceEqual(other.FeatureNames) && Features.Equals(other.Features)
        && TargetName == other.TargetName && TargetCells.SequenceEqual(other.TargetCells) && Sha256 == other.Sha256
        && TargetNames.SequenceEqual(other.TargetNames) && Equals(TargetValues, other.TargetValues);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Source, Features, Sha256);
}

/// <summary>Reads training, evaluation and prediction data from CSV, Parquet, .npy (+ labels .npy) and .npz files.</summary>
public static class DataSource
{
    /// <summary>
    /// Reads data for training: a CSV or a Parquet file (target = <paramref name="target"/> or the last column; every other
    /// column must be numeric; see <see cref="ParquetTable"/>), an .npy feature matrix with an .npy <paramref name="labelsPath"/>, or an .npz holding arrays x and y.
    /// </summary>
    /// <exception cref="DataFileException">For unreadable or malformed data (file, line, column, what was expected).</exception>
    public static LoadedData ForTraining(string path, string? labelsPath, string? target)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        RefuseLabelsWithout(ext, labelsPath);
        if (target is not null && ext is ".npy" or ".npz")
            throw new ArgumentException($"--target: names a CSV or Parquet column; {(ext == ".npy" ? "an .npy file's targets come from --labels" : "an .npz holds its targets in array y")}.");
        if (ext == ".npy") return FromNpy(path, labelsPath ?? throw new DataFileException(path, 0, 0, "an .npy feature file needs --labels FILE.npy with one label per row."));
        if (ext == ".npz") return FromNpz(path, requireTarget: true);
        if (ext == ".parquet")
        {
            var table = ParquetTable.Read(path, header => TrainingPlan(path, header, target));
            var t = table.Plan.Kinds.IndexOf(ColumnKind.Text);
            return new LoadedData(path, [.. table.Plan.Numeric.Select(i => table.Columns[i])], table.Features, table.Columns[t], table.Cells, table.Sha256)
            { TargetLines = table.Rows, TargetField = t + 1, HeaderLine = 0 };
        }
        using var hash = HashingStream.NewHash();
        using var rows = CsvRows.Open(path, hash, header => TrainingPlan(path, header, target));
        var targetIndex = rows.Plan.Kinds.IndexOf(ColumnKind.Text);
        var (features, cells, lines) = ReadRows(rows, targetIndex);
        return new LoadedData(path, [.. rows.Plan.Numeric.Select(i => rows.Columns[i])], features,
            rows.Columns[targetIndex], cells, HashingStream.Hex(hash)) { TargetLines = lines, TargetField = targetIndex + 1 };
    }

    /// <summary>
    /// Reads data for training with several target columns (<c>--target a,b,c</c>) from a CSV or a Parquet file: each
    /// target column is read as numbers (a cell that is not a number is refused with its file, line and column), every
    /// other column is a feature. With one name (or none) this is <see cref="ForTraining(string, string?, string?)"/> without labels.
    /// </summary>
    /// <exception cref="ArgumentException">For a target named twice, or several targets with NumPy data (naming --target).</exception>
    /// <exception cref="DataFileException">For unreadable or malformed data, or a target column the file does not have.</exception>
    public static LoadedData ForTrainingTargets(string path, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count <= 1) return ForTraining(path, null, targets.Count == 0 ? null : targets[0]);
        RefuseRepeated(targets);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".npy" or ".npz")
            throw new ArgumentException($"--target: several targets name CSV or Parquet columns; {(ext == ".npy" ? "an .npy file's targets come from --labels" : "an .npz holds its targets in array y")}.");
        CsvPlan Plan(ImmutableArray<string> header)
        {
            var t = targets.Select(name => header.IndexOf(name)).ToArray();
            if (Array.IndexOf(t, -1) is var missing and >= 0)
                throw new DataFileException(path, 1, 0, $"no target column '{targets[missing]}'; the columns are: {string.Join(", ", header)}.");
            if (header.Length <= t.Length) throw new DataFileException(path, 1, 1, $"expected at least one feature column besides the {t.Length} targets, found {header.Length} columns.");
            // Features first in file order, then the targets in the order named: one matrix, split after reading.
            return new CsvPlan([.. header.Select(_ => ColumnKind.Numeric)], [.. Enumerable.Range(0, header.Length).Where(c => !t.Contains(c)), .. t]);
        }
        Matrix all;
        ImmutableArray<string> columns;
        ImmutableArray<int> lines;
        string sha;
        int headerLine = 1;
        if (ext == ".parquet")
        {
            var table = ParquetTable.Read(path, Plan);
            (all, columns, lines, sha, headerLine) = (table.Features, table.Columns, [.. Enumerable.Range(1, table.Features.Rows)], table.Sha256, 0);
        }
        else
        {
            using var hash = HashingStream.NewHash();
            using var rows = CsvRows.Open(path, hash, Plan);
            (all, _, lines) = ReadRows(rows, -1, recordLines: true);
            columns = rows.Columns;
            sha = HashingStream.Hex(hash);
        }
        var f = all.Cols - targets.Count;
        var featureNames = columns.Where(c => !targets.Contains(c)).ToImmutableArray();
        return new LoadedData(path, featureNames, Matrix.Init(all.Rows, f, (r, c) => all[r, c]), targets[0], [], sha)
        {
            TargetNames = [.. targets],
            TargetValues = Matrix.Init(all.Rows, targets.Count, (r, c) => all[r, f + c]),
            TargetLines = lines,
            TargetFields = [.. targets.Select(t => columns.IndexOf(t) + 1)],
            TargetField = columns.IndexOf(targets[0]) + 1,
            HeaderLine = headerLine,
        };
    }

    /// <summary>Refuses a target column named twice (naming --target).</summary>
    internal static void RefuseRepeated(IReadOnlyList<string> targets)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in targets)
            if (!seen.Add(t)) throw new ArgumentException($"--target: column '{t}' is named twice.");
    }

    /// <summary>What training reads of each column (CSV or Parquet): the target (<paramref name="target"/> or the last column) as text, every other as numbers.</summary>
    private static CsvPlan TrainingPlan(string path, ImmutableArray<string> header, string? target)
    {
        if (header.Length < 2) throw new DataFileException(path, 1, 1, $"expected at least two columns (features and a target), found {header.Length}.");
        var t = target is null ? header.Length - 1 : header.IndexOf(target);
        if (t < 0) throw new DataFileException(path, 1, 0, $"no target column '{target}'; the columns are: {string.Join(", ", header)}.");
        return CsvPlan.FileOrder([.. header.Select((_, i) => i == t ? ColumnKind.Text : ColumnKind.Numeric)]);
    }

    /// <summary>
    /// Reads data for a trained model: the CSV (or Parquet) columns named by <paramref name="featureNames"/> (in that order; other
    /// columns are ignored) and the target column when present (required when <paramref name="requireTarget"/>); or
    /// NumPy data with as many columns as the model has features.
    /// </summary>
    /// <exception cref="DataFileException">When features are missing or the count differs ("has 3 features, model expects 4").</exception>
    public static LoadedData ForModel(string path, string? labelsPath, ImmutableArray<string> featureNames, string targetName, bool requireTarget)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        RefuseLabelsWithout(ext, labelsPath);
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
        if (ext == ".parquet")
        {
            var table = ParquetTable.Read(path, header => ModelPlan(path, header, featureNames, targetName, requireTarget));
            return new LoadedData(path, featureNames, table.Features, targetName, table.Cells, table.Sha256)
            {
                TargetLines = table.Rows,
                TargetField = table.TextField,
                HeaderLine = 0,
                UnusedColumns = Unused(table.Columns, table.Plan.Kinds),
            };
        }
        using var hash = HashingStream.NewHash();
        using var rows = CsvRows.Open(path, hash, header => ModelPlan(path, header, featureNames, targetName, requireTarget));
        var t = rows.Plan.Kinds.IndexOf(ColumnKind.Text);
        var (features, cells, lines) = ReadRows(rows, t);
        return new LoadedData(path, featureNames, features, targetName, cells, HashingStream.Hex(hash))
        {
            TargetLines = lines,
            TargetField = t + 1,
            UnusedColumns = Unused(rows.Columns, rows.Plan.Kinds),
        };
    }

    /// <summary>
    /// Reads data for a model with several targets (<see cref="ModelInfo.TargetNames"/>): the features by name and every
    /// target column as numbers (all required when <paramref name="requireTarget"/>, else none read); CSV or Parquet only.
    /// </summary>
    /// <exception cref="DataFileException">When features or targets are missing, a target is one of the features, or a cell is not a number.</exception>
    public static LoadedData ForModelTargets(string path, ImmutableArray<string> featureNames, ImmutableArray<string> targetNames, bool requireTarget)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is ".npy" or ".npz")
            throw new DataFileException(path, 0, 0, $"the model has {targetNames.Length} targets ({string.Join(", ", targetNames)}), read from CSV or Parquet columns by name; expected a CSV or Parquet file.");
        CsvPlan Plan(ImmutableArray<string> header)
        {
            var kinds = ModelColumns(path, header, featureNames, targetNames[0], requireTarget: false);
            foreach (var t in targetNames)
            {
                if (requireTarget && featureNames.Contains(t))
                    throw new DataFileException(path, 1, 0, $"the target column '{t}' is one of the model's input features; name the columns that hold the targets (--target).");
                if (requireTarget && !header.Contains(t))
                    throw new DataFileException(path, 1, 0, $"no target column '{t}'; the columns are: {string.Join(", ", header)}.");
            }
            return new CsvPlan([.. header.Select((h, i) => kinds[i] == ColumnKind.Numeric || requireTarget && targetNames.Contains(h) ? ColumnKind.Numeric : ColumnKind.Skip)],
                [.. featureNames.Select(f => header.IndexOf(f)), .. requireTarget ? targetNames.Select(t => header.IndexOf(t)) : []]);
        }
        Matrix all;
        ImmutableArray<string> columns;
        ImmutableArray<ColumnKind> used;
        ImmutableArray<int> lines;
        string sha;
        if (ext == ".parquet")
        {
            var table = ParquetTable.Read(path, Plan);
            (all, columns, used, lines, sha) = (table.Features, table.Columns, table.Plan.Kinds, [.. Enumerable.Range(1, table.Features.Rows)], table.Sha256);
        }
        else
        {
            using var hash = HashingStream.NewHash();
            using var rows = CsvRows.Open(path, hash, Plan);
            (all, _, lines) = ReadRows(rows, -1, recordLines: true);
            (columns, used, sha) = (rows.Columns, rows.Plan.Kinds, HashingStream.Hex(hash));
        }
        var f = featureNames.Length;
        var data = new LoadedData(path, featureNames, all.Cols == f ? all : Matrix.Init(all.Rows, f, (r, c) => all[r, c]), targetNames[0], [], sha)
        {
            TargetNames = targetNames,
            UnusedColumns = Unused(columns, used),
            TargetLines = lines,
        };
        return requireTarget
            ? data with { TargetValues = Matrix.Init(all.Rows, targetNames.Length, (r, c) => all[r, f + c]), TargetFields = [.. targetNames.Select(t => columns.IndexOf(t) + 1)] }
            : data;
    }

    private static CsvPlan ModelPlan(string path, ImmutableArray<string> header, ImmutableArray<string> featureNames, string targetName, bool requireTarget) =>
        new(ModelColumns(path, header, featureNames, targetName, requireTarget), [.. featureNames.Select(f => header.IndexOf(f))]);

    /// <summary>--labels goes with .npy features only; elsewhere it would be silently ignored.</summary>
    private static void RefuseLabelsWithout(string ext, string? labelsPath)
    {
        if (labelsPath is not null && ext != ".npy")
            throw new ArgumentException($"--labels: goes with .npy --data only ({(ext == ".npz" ? "an .npz holds its targets in array y" : "a CSV or Parquet file holds them in its target column")}).");
    }

    /// <summary>
    /// The one-line note "d.csv: columns 'id', 'comment' are not used by the model." (at most ten names), or null when
    /// <paramref name="unused"/> is empty.
    /// </summary>
    public static string? UnusedNote(string source, ImmutableArray<string> unused) => unused.IsDefaultOrEmpty ? null
        : $"{source}: {(unused.Length == 1 ? "column" : "columns")} {string.Join(", ", unused.Take(10).Select(c => $"'{c}'"))}"
          + (unused.Length > 10 ? $" and {unused.Length - 10} more" : "")
          + $" {(unused.Length == 1 ? "is" : "are")} not used by the model.";

    /// <summary>The columns a plan skips, in file order (named in a note: data the model does not use).</summary>
    internal static ImmutableArray<string> Unused(ImmutableArray<string> columns, ImmutableArray<ColumnKind> kinds) =>
        [.. columns.Where((_, i) => kinds[i] == ColumnKind.Skip)];

    /// <summary>
    /// What <see cref="ForModel"/> reads of each CSV column: the model's features as numbers, the target (when present and not a
    /// feature) as text, the rest skipped; refuses a header without the features (or without the target when it is required).
    /// </summary>
    internal static ImmutableArray<ColumnKind> ModelColumns(string path, ImmutableArray<string> header, ImmutableArray<string> featureNames, string targetName, bool requireTarget)
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
    }

    /// <summary>
    /// Reads every row: the numeric cells into one matrix (8 bytes a cell, never two copies: see <see cref="CellBlocks"/>),
    /// and column <paramref name="target"/> (if ≥ 0) as text with the line of each cell. Repeated labels share one string.
    /// </summary>
    private static (Matrix Features, ImmutableArray<string> Cells, ImmutableArray<int> Lines) ReadRows(CsvRows rows, int target, bool recordLines = false)
    {
        using var blocks = new CellBlocks(rows.Width);
        var row = new double[rows.Width];
        var cells = new List<string>();
        var lines = new List<int>();
        var interned = new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = interned.GetAlternateLookup<ReadOnlySpan<char>>();
        while (rows.Read(row))
        {
            try { row.CopyTo(blocks.Append()); }
            catch (InvalidDataException e) { throw new DataFileException(rows.Path, rows.RecordLine, 1, e.Message); }
            if (target < 0)
            {
                if (recordLines) lines.Add(rows.RecordLine);
                continue;
            }
            var field = rows.Field(target);
            if (!lookup.TryGetValue(field, out var cell))
            {
                cell = field.ToString();
                if (interned.Count < 1 << 16) interned.Add(cell, cell);
            }
            cells.Add(cell);
            lines.Add(rows.FieldLine(target));
        }
        return (blocks.ToMatrix(), [.. cells], [.. lines]);
    }

    private static LoadedData FromNpy(string path, string labelsPath)
    {
        using var hash = HashingStream.NewHash();
        var x = Npy.ReadFile(path, hash, Npy.MatrixShape).ToMatrix();
        var y = Npy.ReadFile(labelsPath, hash, h => LabelShape(h, x.Rows, $"has {h.Count} labels but {path} has {x.Rows} rows; expected one label per row."));
        return new LoadedData(path, Names(x.Cols), x, "y", [.. y.Values.Select(Text)], HashingStream.Hex(hash));
    }

    private static LoadedData FromNpyFeaturesOnly(string path)
    {
        using var hash = HashingStream.NewHash();
        var x = Npy.ReadFile(path, hash, Npy.MatrixShape).ToMatrix();
        return new LoadedData(path, Names(x.Cols), x, "y", [], HashingStream.Hex(hash));
    }

    private static LoadedData FromNpz(string path, bool requireTarget)
    {
        using var hash = HashingStream.NewHash();
        using var archive = NpzArchive.Open(path, hash);
        var x = (archive.Read("x", Npy.MatrixShape)
            ?? throw new DataFileException(path, 0, 0, $"expected an array named 'x'; found: {string.Join(", ", archive.Names)}.")).ToMatrix();
        ImmutableArray<string> cells = [];
        if (archive.Read("y", h => LabelShape(h, x.Rows, $"array y has {h.Count} values but x has {x.Rows} rows.")) is { } ya)
            cells = [.. ya.Values.Select(Text)];
        else if (requireTarget) throw new DataFileException(path, 0, 0, $"expected an array named 'y'; found: {string.Join(", ", archive.Names)}.");
        return new LoadedData(path, Names(x.Cols), x, "y", cells, HashingStream.Hex(hash));
    }

    /// <summary>Refuses labels that are not one per row: shape (rows,) or (rows, 1); <paramref name="count"/> is the message for a wrong count.</summary>
    private static string? LabelShape(NpyHeader h, int rows, string count) =>
        h.Shape.Length is not (1 or 2) || h.Shape.Length == 2 && h.Shape[1] != 1
            ? $"expected one label per row, shape ({rows},) or ({rows}, 1), found shape {NpyArray.ShapeText(h.Shape)}."
            : h.Count != rows ? count : null;

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
