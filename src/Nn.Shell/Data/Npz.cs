using System.Collections.Immutable;
using System.IO.Compression;

namespace Nn.Shell;

/// <summary>
/// Reads and writes NumPy <c>.npz</c> archives: a zip of <c>.npy</c> members (stored or deflated), as written by
/// <c>np.savez</c> and <c>np.savez_compressed</c>. Each array is named by its member name without the <c>.npy</c> suffix.
/// </summary>
public static class Npz
{
    private static readonly DateTimeOffset Epoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Reads every member of <paramref name="path"/> with <see cref="Npy.Read"/>'s rules; the keys are the member
    /// names without <c>.npy</c>, in ordinal order. Directory entries are skipped. Each member's declared size is checked
    /// against what its compressed bytes can hold (see <see cref="ReadLimits.MaxDeflateRatio"/>) and against its header's
    /// shape before it is inflated, and inflating stops at the declared size.
    /// </summary>
    /// <exception cref="DataFileException">
    /// When the file is missing, empty or not a zip archive, two members share a name, or a member is not a valid .npy
    /// image or declares more than it can hold (the message names the member).
    /// </exception>
    public static ImmutableSortedDictionary<string, NpyArray> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var archive = NpzArchive.Open(path, null);
        var result = ImmutableSortedDictionary.CreateBuilder<string, NpyArray>(StringComparer.Ordinal);
        foreach (var name in archive.Names) result.Add(name, archive.Read(name, null)!);
        return result.ToImmutable();
    }

    /// <summary>
    /// Writes each array of <paramref name="arrays"/> as the member <c>name.npy</c> (<see cref="Npy.Write"/>'s format,
    /// float64), deflated when <paramref name="compressed"/> (as <c>np.savez_compressed</c>) or stored (as
    /// <c>np.savez</c>). Members are written in ordinal name order with a fixed timestamp, so equal inputs give equal bytes.
    /// </summary>
    /// <exception cref="ArgumentException">When a name is empty, or a value is NaN or infinite.</exception>
    public static void Write(string path, IReadOnlyDictionary<string, NpyArray> arrays, bool compressed = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (var (name, array) in arrays)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("Array names must not be empty.", nameof(arrays));
            Npy.CheckFinite(array);
        }
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using var archive = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var name in arrays.Keys.Order(StringComparer.Ordinal))
        {
            var entry = archive.CreateEntry(name + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = Epoch;
            using var stream = entry.Open();
            Npy.WriteStream(stream, arrays[name]);
        }
    }
}
