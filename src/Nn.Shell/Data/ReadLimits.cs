using System.Globalization;

namespace Nn.Shell;

/// <summary>
/// The limits the readers check before they allocate, in one place. Sizes are computed in checked 64-bit arithmetic;
/// a declared size (a .npy shape, a zip entry's length, a model file's header length) is compared with the limit, the
/// file's length and the memory .NET reports as available before anything of that size is allocated or read.
/// </summary>
public static class ReadLimits
{
    /// <summary>
    /// The most classes a classification target may have: 1000. A text column with more distinct values is almost always an
    /// identifier (a name, an id, a timestamp), and one-hot targets cost rows × classes doubles.
    /// </summary>
    public const int MaxClasses = 1000;

    /// <summary>
    /// From this many rows on, a target whose inferred classes are more than half the rows is refused as an identifier column
    /// (with <c>--task auto</c>; an explicit <c>--task classification</c> allows it up to <see cref="MaxClasses"/>): 100.
    /// </summary>
    public const int IdentifierMinRows = 100;

    /// <summary>
    /// Deflate's largest expansion, 1032:1 (a 258-byte match costs at least 2 bits): a zip entry that declares a larger
    /// size than 1032 × its compressed size (plus 64 KiB of slack for headers) is refused before it is inflated.
    /// </summary>
    public const long MaxDeflateRatio = 1032;

    /// <summary>The largest model or checkpoint file read: <see cref="Array.MaxLength"/> bytes (about 2 GiB, one byte array).</summary>
    public static long MaxModelFileBytes => Array.MaxLength;

    /// <summary>The largest <c>.npz</c> archive read (it is read into memory once, hashed and parsed there): <see cref="Array.MaxLength"/> bytes.</summary>
    public static long MaxNpzFileBytes => Array.MaxLength;

    /// <summary>The largest <c>.parquet</c> file read (it is read into memory once, hashed and parsed there): <see cref="Array.MaxLength"/> bytes.</summary>
    public static long MaxParquetFileBytes => Array.MaxLength;

    /// <summary>The memory .NET reports as available to this process (the machine's, or a container's limit), in bytes.</summary>
    public static long AvailableMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// What is wrong when <paramref name="bytes"/> more would not fit in the available memory, naming <paramref name="what"/>
    /// needs them; null when they fit.
    /// </summary>
    internal static string? MemoryProblem(long bytes, string what)
    {
        var available = AvailableMemoryBytes;
        return available > 0 && bytes > available
            ? string.Create(CultureInfo.InvariantCulture, $"{what} needs {bytes} bytes as doubles, more than the {available} bytes of memory .NET reports as available.")
            : null;
    }

    /// <summary>
    /// The length of the regular file <paramref name="path"/>, found without opening it. An empty length is refused with
    /// <paramref name="expected"/>: that is also what a device, a pipe or a socket reports, and opening a pipe would wait
    /// for a writer (and <c>/dev/zero</c> never ends).
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing or its length is 0.</exception>
    internal static long RegularFileLength(string path, string expected)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new DataFileException(path, 0, 0, "file not found.");
        var length = info.Length;
        if (length == 0)
            throw new DataFileException(path, 0, 0, $"{expected}, found an empty file (or one that is not a regular file: a device or a pipe is not read).");
        return length;
    }
}
