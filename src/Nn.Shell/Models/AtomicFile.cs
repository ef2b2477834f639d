using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Nn.Shell;

/// <summary>Replaces a file atomically: write a temporary file beside it, flush it to disk, then move it over the target.</summary>
/// <remarks>
/// A process killed mid-write (SIGKILL, power loss) leaves the previous file untouched and at most a temporary file
/// <c>.NAME.&lt;32 hex digits&gt;.tmp</c> beside it; for a name too long for that to fit in <see cref="MaxNameBytes"/>,
/// <c>NAME</c> there is shortened to its first characters, <c>~</c> and 16 hex digits of its SHA-256
/// (<see cref="TemporaryPath"/>). The next successful write to the same target deletes such files once they are older than
/// <see cref="StaleAfter"/> (a live writer's temporary file is never that old).
/// </remarks>
public static class AtomicFile
{
    /// <summary>How old a leftover temporary file of the same target must be before a later write deletes it.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    /// <summary>The longest file name, in UTF-8 bytes, that common file systems take (ext4, XFS, Btrfs, tmpfs, APFS; NTFS counts 255 UTF-16 units).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Bytes a temporary name adds to its stem: the leading and middle dots, 32 hex digits and ".tmp".</summary>
    private const int SuffixBytes = 1 + 1 + 32 + 4;

    /// <summary>UTF-8 bytes of a long name kept at the start of its shortened stem.</summary>
    private const int ShortenedPrefixBytes = 64;

    /// <summary>
    /// A fresh temporary path beside <paramref name="path"/>, as <see cref="Write(string, byte[])"/> uses: <c>.NAME.&lt;32 hex&gt;.tmp</c> in
    /// the same folder, where a <c>NAME</c> too long for the whole to fit in <see cref="MaxNameBytes"/> becomes its first
    /// characters (up to 64 bytes), <c>~</c> and 16 hex digits of the SHA-256 of its UTF-8 bytes.
    /// </summary>
    /// <exception cref="ArgumentException">When <paramref name="path"/> is empty or has no folder.</exception>
    public static string TemporaryPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        return Path.Combine(folder, $".{Stem(Path.GetFileName(full))}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>The part of a temporary name that says which target it belongs to (see <see cref="TemporaryPath"/>).</summary>
    private static string Stem(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) + SuffixBytes <= MaxNameBytes) return name;
        var keep = 0;
        for (var bytes = 0; keep < name.Length; )
        {
            var width = char.IsHighSurrogate(name[keep]) && keep + 1 < name.Length ? 2 : 1; // never split a surrogate pair
            var size = Encoding.UTF8.GetByteCount(name.AsSpan(keep, width));
            if (bytes + size > ShortenedPrefixBytes) break;
            bytes += size;
            keep += width;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0, 8);
        return $"{name[..keep]}~{hash}";
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a uniquely named temporary file in <paramref name="path"/>'s folder, flushes it to
    /// disk and moves it over <paramref name="path"/>. On any failure the temporary file is deleted and the exception rethrown,
    /// leaving a previous file at <paramref name="path"/> untouched.
    /// </summary>
    /// <exception cref="IOException">When the file cannot be written; the message names <paramref name="path"/>, never the temporary file.</exception>
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
        var temp = TemporaryPath(path);
        var full = Path.GetFullPath(path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new IOException($"{path}: could not write the file: {Reason(e, temp, path)}.", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        DeleteStaleTemporaries(Path.GetDirectoryName(full)!, Path.GetFileName(full));
    }

    /// <summary>Why writing <paramref name="temp"/> failed, in words that name <paramref name="path"/> where the error named <paramref name="temp"/>.</summary>
    internal static string Reason(Exception e, string temp, string path) => e switch
    {
        DirectoryNotFoundException => "its folder does not exist",
        UnauthorizedAccessException => "permission denied",
        PathTooLongException => "the name is too long for the file system",
        // .NET's Unix messages end in " : 'PATH'" (which may be either file): the caller names the target already.
        _ => Regex.Replace(e.Message, @" : '[^']*'\.?$", "").Replace(temp, path, StringComparison.Ordinal)
            .Replace(Path.GetFileName(temp), Path.GetFileName(path), StringComparison.Ordinal).TrimEnd('.'),
    };

    /// <summary>Deletes <c>.{stem}.&lt;32 hex&gt;.tmp</c> files of <paramref name="name"/> in <paramref name="folder"/> last written before now − <see cref="StaleAfter"/>.</summary>
    private static void DeleteStaleTemporaries(string folder, string name)
    {
        var prefix = "." + Stem(name) + ".";
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
    public static void WriteAllText(string path, string text) => Write(path, new UTF8Encoding(false).GetBytes(text));

    private static void TryDelete(string temp)
    {
        try { File.Delete(temp); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
