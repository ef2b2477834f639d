using System.Text;
using Nn.Shell;

namespace Nn.Shell.Tests;

/// <summary>A fresh temporary folder per test class instance, deleted afterwards.</summary>
public sealed class TempFiles : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nn-shell-tests-" + Guid.NewGuid().ToString("N"));
    private int _count;

    public TempFiles() => Directory.CreateDirectory(_dir);

    /// <summary>A new, not yet existing path ending in <paramref name="extension"/>.</summary>
    public string NewPath(string extension) => Path.Combine(_dir, $"f{Interlocked.Increment(ref _count)}{extension}");

    /// <summary>Writes <paramref name="text"/> as UTF-8 without BOM and returns the path.</summary>
    public string Text(string text, string extension = ".csv") => Bytes(new UTF8Encoding(false).GetBytes(text), extension);

    /// <summary>Writes <paramref name="bytes"/> and returns the path.</summary>
    public string Bytes(byte[] bytes, string extension = ".csv")
    {
        var path = NewPath(extension);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Assertions on <see cref="DataFileException"/> messages.</summary>
public static class Errors
{
    /// <summary>
    /// Runs <paramref name="read"/>, expects a <see cref="DataFileException"/> at <paramref name="line"/>:<paramref name="column"/>
    /// of <paramref name="path"/> (line 0: none), whose message contains every fragment; returns it.
    /// </summary>
    public static DataFileException At(Action read, string path, int line, int column, params string[] fragments)
    {
        var e = Assert.Throws<DataFileException>(read);
        var prefix = line > 0 ? $"{path}:{line}:{column}: " : $"{path}: ";
        Assert.True(e.Message.StartsWith(prefix, StringComparison.Ordinal), $"expected the prefix '{prefix}' in: {e.Message}");
        Assert.Equal(path, e.FilePath);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        foreach (var f in fragments)
            Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"expected '{f}' in: {e.Message}");
        return e;
    }
}
