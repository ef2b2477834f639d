using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nn.Shell;

/// <summary>
/// Which file a path leads to, as the operating system knows it: the device and the file's number on it (the inode on Unix,
/// the file index on Windows). Two paths with the same identity are the same file, whatever their spelling: symlinks,
/// hard links, <c>./</c> and <c>..</c>.
/// </summary>
/// <param name="Device">The device (volume) that holds the file.</param>
/// <param name="Index">The file's number on that device.</param>
/// <param name="IsRegularFile">False for a folder, device, pipe or socket.</param>
internal sealed record FileIdentity(ulong Device, ulong Index, bool IsRegularFile)
{
    /// <summary>
    /// The identity of the file at <paramref name="path"/> (symlinks followed), or null when it does not exist, cannot be
    /// examined, or this platform offers no identity (then callers compare resolved paths only).
    /// </summary>
    public static FileIdentity? Of(string path)
    {
        try
        {
            if (OperatingSystem.IsLinux()) return Linux(path);
            if (OperatingSystem.IsWindows()) return Windows(path);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException) { }
        return null;
    }

    // struct statx has the same layout on every Linux architecture (unlike struct stat): stx_mode is a u16 at byte 28,
    // stx_ino a u64 at 32, stx_dev_major and stx_dev_minor u32s at 136 and 140; the struct is 256 bytes.
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1, StatxIno = 0x100;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);

    private static FileIdentity? Linux(string path)
    {
        var b = new byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType | StatxIno, b) != 0) return null;
        // The kernel writes the struct in the machine's byte order.
        uint U32(int at) => MemoryMarshal.Read<uint>(b.AsSpan(at));
        if ((U32(0) & StatxIno) == 0) return null;
        var mode = MemoryMarshal.Read<ushort>(b.AsSpan(28));
        return new FileIdentity(((ulong)U32(136) << 32) | U32(140), MemoryMarshal.Read<ulong>(b.AsSpan(32)), (mode & 0xF000) == 0x8000);
    }

    // BY_HANDLE_FILE_INFORMATION: dwFileAttributes at 0, dwVolumeSerialNumber at 28, nFileIndexHigh/Low at 44/48; 52 bytes.
    [DllImport("kernel32", EntryPoint = "GetFileInformationByHandle", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool GetFileInformationByHandle(SafeFileHandle handle, [Out] byte[] information);

    private static FileIdentity? Windows(string path)
    {
        if (Directory.Exists(path)) return null;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var b = new byte[52];
        if (!GetFileInformationByHandle(handle, b)) return null;
        var index = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(44)) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(48));
        return new FileIdentity(BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(28)), index, IsRegularFile: true);
    }
}
