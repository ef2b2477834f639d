namespace Nn.Shell;

/// <summary>A path with every symlink resolved, in the folders and in the name, whether or not the file exists yet.</summary>
internal static class ResolvedPath
{
    /// <summary>Symlinks followed before giving up on a loop (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The physical path of <paramref name="path"/>: made absolute and cleaned of <c>.</c> and <c>..</c> as .NET opens it
    /// (<see cref="Path.GetFullPath(string)"/>), then each existing component that is a symlink replaced by its target,
    /// where a <c>..</c> in a target means the target's parent (as the operating system reads it). Components that do not
    /// exist are kept as written. A symlink loop leaves the path as far as it was resolved.
    /// </summary>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        var pending = new Stack<string>(Parts(full).Reverse());
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? current; continue; }
            var next = Path.Combine(current, part);
            var target = LinkTarget(next);
            if (target is null || ++links > MaxLinks) { current = next; continue; }
            // Walk the target in place of the link, from its root (the prefix already walked holds no links): a relative
            // target starts from the link's folder, and its ".." then means that folder's physical parent.
            var absolute = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            foreach (var p in Parts(absolute).Reverse()) pending.Push(p);
            current = Path.GetPathRoot(absolute)!;
        }
        return current;
    }

    private static IEnumerable<string> Parts(string absolute) =>
        absolute[Path.GetPathRoot(absolute)!.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

    private static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Whether two resolved paths name the same entry on this platform (case-insensitively on Windows and macOS).</summary>
    public static bool Same(string a, string b) =>
        string.Equals(a, b, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
