using System.Globalization;
using System.Text;
using Nn;

namespace Nn.Cli.Tests;

/// <summary>A fresh folder per test, removed afterwards, with helpers that write small data files.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nn-cli-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The names of the files in the folder, sorted ordinally.</summary>
    public string[] Names() => [.. Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    public string Write(string name, string text)
    {
        var p = File(name);
        System.IO.File.WriteAllText(p, text, new UTF8Encoding(false));
        return p;
    }

    /// <summary>A CSV of two-moons classification with text labels "left"/"right" (or class ids) in the last column.</summary>
    public string Moons(string name, int count, long seed, bool textLabels)
    {
        var d = Synthetic.Moons(Key.FromSeed(seed), count, 0.15);
        var sb = new StringBuilder("x1,x2,label\n");
        for (var r = 0; r < d.Count; r++)
            sb.Append(CultureInfo.InvariantCulture, $"{d.X[r, 0]:R},{d.X[r, 1]:R},{(textLabels ? (d.Labels[r] == 0 ? "left" : "right") : d.Labels[r].ToString(CultureInfo.InvariantCulture))}\n");
        return Write(name, sb.ToString());
    }

    /// <summary>A CSV of 3-class blobs with integer labels.</summary>
    public string Blobs(string name, int count, long seed)
    {
        var d = Synthetic.Blobs(Key.FromSeed(seed), count, 3, 2, 1.0);
        var sb = new StringBuilder("a,b,class\n");
        for (var r = 0; r < d.Count; r++) sb.Append(CultureInfo.InvariantCulture, $"{d.X[r, 0]:R},{d.X[r, 1]:R},{d.Labels[r]}\n");
        return Write(name, sb.ToString());
    }

    /// <summary>A CSV of noisy linear regression y = X·w + b (3 features, target column "y", large scale).</summary>
    public string Linear(string name, int count, long seed)
    {
        var p = Synthetic.LinearRegression(Key.FromSeed(seed), count, 3, 0.1);
        var sb = new StringBuilder("f1,f2,f3,y\n");
        for (var r = 0; r < count; r++)
            sb.Append(CultureInfo.InvariantCulture, $"{p.Data.X[r, 0]:R},{p.Data.X[r, 1]:R},{p.Data.X[r, 2]:R},{100 + 50 * p.Data.Y[r]:R}\n");
        return Write(name, sb.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs the real command tree in-process and captures its output.</summary>
public static class NnCli
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter(CultureInfo.InvariantCulture);
        var e = new StringWriter(CultureInfo.InvariantCulture);
        var code = CliApp.Run(args, CliConsole.Plain(o, e), CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }
}
