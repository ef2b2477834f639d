namespace Nn.Shell;

/// <summary>Replaces a file atomically: write a temporary file beside it, flush it to disk, then move it over the target.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="bytes"/> to a uniquely named temporary file in <paramref name="path"/>'s folder, flushes it to
    /// disk and moves it over <paramref name="path"/>. On any failure the temporary file is deleted and the exception rethrown,
    /// leaving a previous file at <paramref name="path"/> untouched.
    /// </summary>
    public static void Write(string path, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>As <see cref="Write"/> for UTF-8 text without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => Write(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
