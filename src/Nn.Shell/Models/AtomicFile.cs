namespace Nn.Shell;

/// <summary>Replaces a file atomically: write a temporary file beside it, flush it to disk, then move it over the target.</summary>
/// <remarks>
/// A process killed mid-write (SIGKILL, power loss) leaves the previous file untouched and at most a temporary file
/// <c>.NAME.&lt;32 hex digits&gt;.tmp</c> beside it. The next successful write to the same target deletes such files once
/// they are older than <see cref="StaleAfter"/> (a live writer's temporary file is never that old).
/// </remarks>
public static class AtomicFile
{
    /// <summary>How old a leftover temporary file of the same target must be before a later write deletes it.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Writes <paramref name="bytes"/> to a uniquely named temporary file in <paramref name="path"/>'s folder, flushes it to
    /// disk and moves it over <paramref name="path"/>. On any failure the temporary file is deleted and the exception rethrown,
    /// leaving a previous file at <paramref name="path"/> untouched.
    /// </summary>
    public static void Write(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// As <see cref="Write(string, byte[])"/>, with the content streamed into the temporary file by <paramref name="write"/>
    /// (so it need not be held in memory). When <paramref name="write"/> throws, the temporary file is deleted, the exception
    /// rethrown and a previous file at <paramref name="path"/> is left untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        DeleteStaleTemporaries(folder, Path.GetFileName(full));
    }

    /// <summary>Deletes <c>.{name}.&lt;32 hex&gt;.tmp</c> files in <paramref name="folder"/> last written before now − <see cref="StaleAfter"/>.</summary>
    private static void DeleteStaleTemporaries(string folder, string name)
    {
        var prefix = "." + name + ".";
        var cutoff = DateTime.UtcNow - StaleAfter;
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp"))
            {
                var leaf = Path.GetFileName(file);
                if (leaf.Length != prefix.Length + 32 + 4 || !leaf.StartsWith(prefix, StringComparison.Ordinal)) continue;
                if (!leaf.AsSpan(prefix.Length, 32).ContainsAnyExcept("0123456789abcdef") && File.GetLastWriteTimeUtc(file) < cutoff) TryDelete(file);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>As <see cref="Write(string, byte[])"/> for UTF-8 text without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => Write(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
