using System.Text;

namespace Nn.Shell;

/// <summary>
/// Checks a command's output files before any work, so that no input or other output is overwritten and no write fails
/// after minutes of training: each output must be a different file from every input and every other output (compared by
/// resolved path and by file identity, so symlinks, hard links and <c>./</c> or <c>..</c> spellings count), and must be
/// writable where it is (its folder exists, it is not a folder or device, its name fits, and the temporary file that
/// <see cref="AtomicFile"/> writes beside it can be created and deleted).
/// </summary>
public static class OutputPaths
{
    /// <summary>A file argument with where it leads.</summary>
    private sealed record Located(FileArgument Argument, string Path, string Full, string Resolved, FileIdentity? Identity);

    /// <summary>
    /// Refuses inputs that do not exist, and outputs that would overwrite an input or another output, or that cannot be written. Arguments whose path is
    /// null (flags not given) are ignored. The only side effect is creating and deleting one temporary file beside each
    /// output (nothing is left behind).
    /// </summary>
    /// <param name="inputs">The files the command reads; <see cref="FileArgument.UpdatedBy"/> names the one output each may also be.</param>
    /// <param name="outputs">The files the command writes.</param>
    /// <exception cref="ArgumentException">
    /// One line naming the flag and the path as given, e.g. <c>--out: d.csv is also the --data input; choose another file.</c>
    /// </exception>
    public static void Check(IEnumerable<FileArgument> inputs, IEnumerable<FileArgument> outputs)
    {
        var ins = inputs.Where(a => a.Path is not null).Select(Locate).ToList();
        foreach (var input in ins) CheckReadable(input);
        var outs = outputs.Where(a => a.Path is not null).Select(Locate).ToList();
        for (var i = 0; i < outs.Count; i++)
        {
            var o = outs[i];
            foreach (var input in ins)
                if (input.Argument.UpdatedBy != o.Argument.Flag && Same(o, input))
                    throw Refusal(o, $"{o.Path} is also the {input.Argument.Flag} input; choose another file.");
            foreach (var other in outs.Take(i))
                if (Same(o, other))
                    throw Refusal(o, $"{o.Path} is also the {other.Argument.Flag} output; choose another file.");
        }
        foreach (var o in outs) CheckWritable(o);
    }

    private static Located Locate(FileArgument a)
    {
        var path = a.Path!;
        if (path.Length == 0) throw new ArgumentException($"{a.Flag}: expected a file name, got an empty string.");
        var full = Path.GetFullPath(path);
        return new Located(a, path, full, ResolvedPath.Of(full), FileIdentity.Of(full));
    }

    /// <summary>The same file: the same resolved path, or (where both exist) the same device and file number.</summary>
    private static bool Same(Located a, Located b) =>
        ResolvedPath.Same(a.Resolved, b.Resolved) || (a.Identity is not null && a.Identity == b.Identity);

    private static void CheckWritable(Located o)
    {
        if (Directory.Exists(o.Full) || EndsInSeparator(o.Path))
            throw Refusal(o, $"{o.Path} is a folder; give a file name.");
        if (o.Identity is { IsRegularFile: false })
            throw Refusal(o, $"{o.Path} is not a regular file (nn replaces its outputs: it writes beside them, then renames); give a file name.");
        var folder = Path.GetDirectoryName(o.Full)!;
        var shown = Path.GetDirectoryName(o.Path) is { Length: > 0 } given ? given : ".";
        if (File.Exists(folder))
            throw Refusal(o, $"{o.Path}: {shown} is a file, not a folder.");
        if (!Directory.Exists(folder))
            throw Refusal(o, $"{o.Path}: the folder {shown} does not exist; create it first.");
        var name = Path.GetFileName(o.Full);
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        if (nameBytes > AtomicFile.MaxNameBytes && !File.Exists(o.Full))
            throw Refusal(o, $"{o.Path}: the file name is {nameBytes} bytes long; file systems take at most {AtomicFile.MaxNameBytes}.");
        var temp = AtomicFile.TemporaryPath(o.Full);
        try
        {
            new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refusal(o, $"{o.Path}: cannot create files in the folder {shown} ({AtomicFile.Reason(e, temp, o.Path)}).");
        }
        try { File.Delete(temp); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refusal(o, $"{o.Path}: cannot delete files in the folder {shown} ({AtomicFile.Reason(e, temp, o.Path)}).");
        }
    }

    /// <summary>An input must be an existing file (a missing one is named with its flag, not in .NET's words).</summary>
    private static void CheckReadable(Located i)
    {
        if (Directory.Exists(i.Full)) throw Refusal(i, $"{i.Path} is a folder, not a file.");
        if (!File.Exists(i.Full)) throw Refusal(i, $"{i.Path}: file not found.");
    }

    private static bool EndsInSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar);

    private static ArgumentException Refusal(Located o, string problem) => new($"{o.Argument.Flag}: {problem}");
}
