using System.IO.Compression;
using System.Security.Cryptography;

namespace Nn.Shell;

/// <summary>
/// An open <c>.npz</c> archive whose members are read one by one, by name, only when asked: a member that is not needed
/// is never inflated, and a member's declared size is checked (against deflate's largest expansion and its .npy header's
/// shape) before it is. With a hash the whole file is read once into memory, hashed, and parsed from there, so the hash
/// is of the bytes parsed (a zip is read from its end, not in one forward pass).
/// </summary>
internal sealed class NpzArchive : IDisposable
{
    private const string Expected = "expected a zip archive of .npy files (an .npz)";
    private readonly string _path;
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _members;
    private readonly List<IDisposable> _open = [];

    private NpzArchive(string path, ZipArchive zip, Dictionary<string, ZipArchiveEntry> members)
    {
        _path = path;
        _zip = zip;
        _members = members;
    }

    /// <summary>The member names without <c>.npy</c>, in ordinal order.</summary>
    public IEnumerable<string> Names => _members.Keys.Order(StringComparer.Ordinal);

    /// <summary>
    /// Opens <paramref name="path"/>; with <paramref name="hash"/> every byte of the file is appended to it (the file is
    /// then read into memory, at most <see cref="ReadLimits.MaxNpzFileBytes"/>).
    /// </summary>
    /// <exception cref="DataFileException">When the file is missing, empty, too large, not a zip archive, or two members share a name.</exception>
    public static NpzArchive Open(string path, IncrementalHash? hash)
    {
        var length = ReadLimits.RegularFileLength(path, Expected);
        Stream? stream = null;
        try
        {
            if (hash is null) stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            else
            {
                if (length > ReadLimits.MaxNpzFileBytes)
                    throw new DataFileException(path, 0, 0, $"is {length} bytes; an .npz of at most {ReadLimits.MaxNpzFileBytes} bytes is read (save larger arrays as .npy files).");
                var bytes = new byte[length];
                int got;
                using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
                    got = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                if (got < bytes.Length) throw new DataFileException(path, 0, 0, $"{Expected}, but it shrank to {got} bytes while being read.");
                hash.AppendData(bytes);
                stream = new MemoryStream(bytes, writable: false);
            }
            var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            var members = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries)
            {
                var member = entry.FullName;
                if (member.EndsWith('/')) continue;
                var name = member.EndsWith(".npy", StringComparison.Ordinal) ? member[..^4] : member;
                if (!members.TryAdd(name, entry))
                {
                    zip.Dispose();
                    throw new DataFileException(path, 0, 0, $"expected distinct member names, found '{name}' twice.");
                }
            }
            return new NpzArchive(path, zip, members);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            throw new DataFileException(path, 0, 0, $"{Expected}, but it could not be read: {e.Message}");
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }

    /// <summary>Whether the archive has a member <paramref name="name"/> (without <c>.npy</c>).</summary>
    public bool Contains(string name) => _members.ContainsKey(name);

    /// <summary>Reads member <paramref name="name"/>, or null when there is none; <paramref name="accept"/> may refuse its shape before it is allocated.</summary>
    /// <exception cref="DataFileException">As <see cref="Npy.Read"/>, naming the member.</exception>
    public NpyArray? Read(string name, Func<NpyHeader, string?>? accept) =>
        Guard(name, entry =>
        {
            using var stream = entry.Open();
            return Npy.ReadStream(stream, entry.Length, _path, Where(entry), accept);
        });

    /// <summary>
    /// Opens member <paramref name="name"/> for reading in chunks (the stream stays open until this archive is disposed),
    /// or null when there is none.
    /// </summary>
    public NpyStream? Stream(string name, Func<NpyHeader, string?>? accept) =>
        Guard(name, entry =>
        {
            var stream = entry.Open();
            _open.Add(stream);
            return NpyStream.Open(stream, entry.Length, _path, Where(entry), accept);
        });

    /// <summary>Runs <paramref name="read"/> on the member after checking its declared size; zip errors name the member.</summary>
    private T? Guard<T>(string name, Func<ZipArchiveEntry, T> read) where T : class
    {
        if (!_members.TryGetValue(name, out var entry)) return null;
        var bound = checked(entry.CompressedLength * ReadLimits.MaxDeflateRatio + (1 << 16));
        if (entry.Length > bound)
            throw new DataFileException(_path, 0, 0, $"{Where(entry)}declares {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than deflate can produce ({ReadLimits.MaxDeflateRatio}:1); the archive is damaged or a zip bomb.");
        try { return read(entry); }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(_path, 0, 0, $"{Where(entry)}{Expected}, but it could not be read: {e.Message}");
        }
    }

    private static string Where(ZipArchiveEntry entry) => $"in member '{entry.FullName}': ";

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var s in _open) s.Dispose();
        _zip.Dispose();
    }
}
