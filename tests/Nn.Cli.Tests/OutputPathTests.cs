using System.Diagnostics;
using System.Security.Cryptography;
using Nn.Shell;
using Xunit.Abstractions;

namespace Nn.Cli.Tests;

/// <summary>
/// Every output is checked before any work: an output that is also an input or another output (under any spelling: symlinks,
/// hard links, <c>./</c>, <c>..</c>), or that cannot be written where it is, is refused with exit 2 and one line on stderr
/// naming the flag and the path, and nothing is written: every input is unchanged byte for byte and no file appears.
/// </summary>
public class OutputPathTests(ITestOutputHelper output)
{
    /// <summary>The flags that take a file; in <see cref="Args"/> their values are names in the test's folder.</summary>
    private static readonly HashSet<string> PathFlags =
        ["--data", "--labels", "--test-data", "--resume", "--checkpoint", "--out", "--history", "--report", "--model", "--onnx"];

    /// <summary>Small, fast training flags; <see cref="Args"/> leaves out <c>--epochs 2</c> when the test gives its own.</summary>
    private static readonly string[] Quick = ["--epochs", "2", "--layers", "4", "--validation-fraction", "0", "--quiet"];

    /// <summary>
    /// A folder holding d.csv (training data), t.csv (test data), x.npy and y.npy (the same as NumPy arrays),
    /// m.safetensors (a model trained on d.csv), run.ckpt (its checkpoint) and an empty folder sub.
    /// </summary>
    private static TempDir Fixture()
    {
        var dir = new TempDir();
        var data = dir.Blobs("d.csv", 30, 1);
        dir.Blobs("t.csv", 20, 2);
        Npy.Write(dir.File("x.npy"), new NpyArray([4, 2], "<f8", [0.0, 1, 1, 0, 2, 3, 3, 2]));
        Npy.Write(dir.File("y.npy"), new NpyArray([4], "<f8", [0.0, 1, 0, 1]));
        var r = NnCli.Run(["train", "--data", data, "--out", dir.File("m.safetensors"), "--checkpoint", dir.File("run.ckpt"), .. Quick]);
        Assert.True(r.Code == 0, r.Err);
        Directory.CreateDirectory(dir.File("sub"));
        return dir;
    }

    /// <summary>xunit 2 has no dynamic skip: a test that cannot run here says why in its output and returns.</summary>
    private bool NotHere(bool condition, string why)
    {
        if (condition) output.WriteLine("not checked here: " + why);
        return condition;
    }

    /// <summary>The words of <paramref name="line"/>, with the value of every file flag made a path in <paramref name="dir"/>.</summary>
    private static string[] Args(TempDir dir, string line)
    {
        var words = line.Split(' ');
        for (var i = 1; i < words.Length; i++)
            if (PathFlags.Contains(words[i - 1]) && !Path.IsPathRooted(words[i])) words[i] = Path.Combine(dir.Path, words[i]);
        if (words[0] != "train") return words;
        return words.Contains("--epochs") ? [.. words, .. Quick.Skip(2)] : [.. words, .. Quick];
    }

    /// <summary>Every entry under <paramref name="folder"/>: a file's SHA-256, a symlink's target, a folder's marker.</summary>
    private static SortedDictionary<string, string> Snapshot(string folder)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(DirectoryInfo d)
        {
            foreach (var e in d.EnumerateFileSystemInfos())
            {
                var name = Path.GetRelativePath(folder, e.FullName);
                if (e.LinkTarget is { } target) entries[name] = "-> " + target;
                else if (e is DirectoryInfo sub) { entries[name] = "folder"; Walk(sub); }
                else entries[name] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e.FullName)));
            }
        }
        Walk(new DirectoryInfo(folder));
        return entries;
    }

    /// <summary>Runs <paramref name="args"/> and asserts the refusal: exit 2, one line <c>nn: FLAG: …PATH…</c>, nothing changed under <paramref name="dir"/>.</summary>
    private static string Refused(TempDir dir, string[] args, string flag, string path, params string[] fragments)
    {
        var before = Snapshot(dir.Path);
        var r = NnCli.Run(args);
        Assert.True(r.Code == CliApp.BadInput, $"exit {r.Code}: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "one line on stderr, got: " + r.Err);
        Assert.StartsWith($"nn: {flag}: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(path, lines[0], StringComparison.Ordinal);
        foreach (var f in fragments) Assert.Contains(f, lines[0], StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(dir.Path));
        return lines[0];
    }

    [Theory]
    [InlineData("train --data d.csv --out d.csv", "--out", "d.csv", "--data input")]
    [InlineData("train --data d.csv --out new.safetensors --history d.csv", "--history", "d.csv", "--data input")]
    [InlineData("train --data d.csv --out new.safetensors --checkpoint d.csv", "--checkpoint", "d.csv", "--data input")]
    [InlineData("train --data d.csv --out new.safetensors --report d.csv", "--report", "d.csv", "--data input")]
    [InlineData("train --data d.csv --out m.safetensors --report m.safetensors", "--report", "m.safetensors", "--out output")]
    [InlineData("train --data d.csv --out m.safetensors --history m.safetensors", "--history", "m.safetensors", "--out output")]
    [InlineData("train --data d.csv --out m.safetensors --checkpoint m.safetensors", "--checkpoint", "m.safetensors", "--out output")]
    [InlineData("train --data d.csv --out new.safetensors --history h.csv --report h.csv", "--report", "h.csv", "--history output")]
    [InlineData("train --data d.csv --out new.safetensors --test-data t.csv --report t.csv", "--report", "t.csv", "--test-data input")]
    [InlineData("train --data x.npy --labels y.npy --out y.npy", "--out", "y.npy", "--labels input")]
    [InlineData("train --data d.csv --out run.ckpt --resume run.ckpt", "--out", "run.ckpt", "--resume input")]
    [InlineData("train --data d.csv --out new.safetensors --history run.ckpt --resume run.ckpt --checkpoint run.ckpt", "--history", "run.ckpt", "--resume input")]
    [InlineData("train --data d.csv --out new.safetensors --resume run.ckpt --checkpoint d.csv", "--checkpoint", "d.csv", "--data input")]
    [InlineData("predict --model m.safetensors --data d.csv --out d.csv", "--out", "d.csv", "--data input")]
    [InlineData("predict --model m.safetensors --data d.csv --out m.safetensors", "--out", "m.safetensors", "--model input")]
    [InlineData("export --model m.safetensors --onnx m.safetensors", "--onnx", "m.safetensors", "--model input")]
    [InlineData("eval --model m.safetensors --data d.csv --report m.safetensors", "--report", "m.safetensors", "--model input")]
    [InlineData("eval --model m.safetensors --data d.csv --report d.csv", "--report", "d.csv", "--data input")]
    [InlineData("eval --model m.safetensors --data x.npy --labels y.npy --report y.npy", "--report", "y.npy", "--labels input")]
    public void An_output_that_is_also_an_input_or_another_output_is_refused(string line, string flag, string name, string other)
    {
        using var dir = Fixture();
        var message = Refused(dir, Args(dir, line), flag, dir.File(name), $"is also the {other}; choose another file.");
        Assert.Equal($"nn: {flag}: {dir.File(name)} is also the {other}; choose another file.", message);
    }

    [Fact]
    public void The_same_file_through_a_symlink_is_refused_either_way_round()
    {
        using var dir = Fixture();
        File.CreateSymbolicLink(dir.File("link.csv"), "d.csv");
        Refused(dir, Args(dir, "train --data d.csv --out link.csv"), "--out", dir.File("link.csv"), "--data input");
        Refused(dir, Args(dir, "train --data link.csv --out d.csv"), "--out", dir.File("d.csv"), "--data input");
        Refused(dir, Args(dir, "predict --model m.safetensors --data link.csv --out d.csv"), "--out", dir.File("d.csv"), "--data input");
    }

    [Fact]
    public void The_same_file_through_a_symlinked_folder_is_refused()
    {
        using var dir = Fixture();
        Directory.CreateDirectory(dir.File("real"));
        File.Copy(dir.File("d.csv"), dir.File("real/d.csv"));
        Directory.CreateSymbolicLink(dir.File("alias"), "real");
        Refused(dir, Args(dir, "train --data real/d.csv --out alias/d.csv"), "--out", dir.File("alias/d.csv"), "--data input");
        // Two outputs that do not exist yet, one spelled through the link.
        Refused(dir, Args(dir, "train --data d.csv --out real/m.safetensors --history alias/m.safetensors"), "--history", dir.File("alias/m.safetensors"), "--out output");
    }

    [Fact]
    public void The_same_file_through_a_hard_link_is_refused()
    {
        if (NotHere(OperatingSystem.IsWindows(), "uses ln")) return;
        using var dir = Fixture();
        using (var ln = Process.Start(new ProcessStartInfo("ln", [dir.File("d.csv"), dir.File("hard.csv")]) { UseShellExecute = false })!)
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        Refused(dir, Args(dir, "train --data d.csv --out hard.csv"), "--out", dir.File("hard.csv"), "--data input");
        Refused(dir, Args(dir, "predict --model m.safetensors --data hard.csv --out d.csv"), "--out", dir.File("d.csv"), "--data input");
        Refused(dir, Args(dir, "eval --model m.safetensors --data d.csv --report hard.csv"), "--report", dir.File("hard.csv"), "--data input");
    }

    [Theory]
    [InlineData("./d.csv")]
    [InlineData("sub/../d.csv")]
    [InlineData("sub/./../sub/../d.csv")]
    [InlineData("sub//../d.csv")]
    public void The_same_file_spelled_with_dot_and_dot_dot_is_refused(string spelling)
    {
        using var dir = Fixture();
        Refused(dir, Args(dir, $"train --data d.csv --out {spelling}"), "--out", dir.File(spelling), "--data input");
    }

    [Fact]
    public void Relative_spellings_in_a_real_process_are_compared_in_its_working_folder()
    {
        using var dir = Fixture();
        var before = Snapshot(dir.Path);
        var r = ChildNn.Run(["train", "--data", "d.csv", "--out", "./sub/../d.csv", .. Quick], dir.Path, TimeSpan.FromMinutes(2));
        Assert.Equal(CliApp.BadInput, r.Code);
        Assert.Equal("nn: --out: ./sub/../d.csv is also the --data input; choose another file.", r.Err.Trim());
        Assert.Equal(before, Snapshot(dir.Path));
    }

    [Fact]
    public void An_output_in_a_missing_folder_is_refused_before_the_data_is_read()
    {
        using var dir = Fixture();
        var bad = dir.Write("bad.csv", "a,b,label\n1,2\n"); // would be refused too, but only once read
        Refused(dir, Args(dir, "train --data bad.csv --out nowhere/m.safetensors"), "--out", dir.File("nowhere/m.safetensors"), "the folder", "does not exist");
        Refused(dir, Args(dir, "train --data d.csv --out new.safetensors --history nowhere/h.csv"), "--history", dir.File("nowhere/h.csv"), "does not exist");
        Refused(dir, Args(dir, "train --data d.csv --out new.safetensors --checkpoint nowhere/c.ckpt"), "--checkpoint", dir.File("nowhere/c.ckpt"), "does not exist");
        Refused(dir, Args(dir, "eval --model m.safetensors --data d.csv --report nowhere/r.html"), "--report", dir.File("nowhere/r.html"), "does not exist");
        Refused(dir, Args(dir, "predict --model m.safetensors --data d.csv --out nowhere/p.csv"), "--out", dir.File("nowhere/p.csv"), "does not exist");
        Refused(dir, Args(dir, "export --model m.safetensors --onnx nowhere/m.onnx"), "--onnx", dir.File("nowhere/m.onnx"), "does not exist");
        Assert.True(File.Exists(bad));
    }

    [Fact]
    public void An_output_that_is_a_folder_or_inside_a_file_or_a_device_is_refused()
    {
        using var dir = Fixture();
        Refused(dir, Args(dir, "train --data d.csv --out sub"), "--out", dir.File("sub"), "is a folder");
        Refused(dir, Args(dir, "train --data d.csv --out sub/"), "--out", dir.File("sub/"), "is a folder");
        Refused(dir, Args(dir, "predict --model m.safetensors --data d.csv --out d.csv/p.csv"), "--out", dir.File("d.csv/p.csv"), "is a file, not a folder");
        if (OperatingSystem.IsLinux())
            Refused(dir, Args(dir, "predict --model m.safetensors --data d.csv --out /dev/null"), "--out", "/dev/null", "is not a regular file");
    }

    [Fact]
    public void An_output_where_even_root_may_not_create_files_is_refused()
    {
        // sysfs refuses new files to every user, root included, so this permission path runs wherever the tests run.
        if (NotHere(!OperatingSystem.IsLinux() || !Directory.Exists("/sys/kernel"), "needs Linux sysfs")) return;
        using var dir = Fixture();
        Refused(dir, Args(dir, "train --data d.csv --out /sys/m.safetensors"), "--out", "/sys/m.safetensors", "cannot create files in the folder /sys");
        Refused(dir, Args(dir, "eval --model m.safetensors --data d.csv --report /sys/r.html"), "--report", "/sys/r.html", "cannot create files");
    }

    [Fact]
    public void An_output_in_a_read_only_folder_is_refused()
    {
        if (OperatingSystem.IsWindows()) { NotHere(true, "Unix permissions"); return; }
        using var dir = Fixture();
        var locked = dir.File("locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            var model = Path.Combine(locked, "m.safetensors");
            if (!Environment.IsPrivilegedProcess)
            {
                Refused(dir, Args(dir, "train --data d.csv --out locked/m.safetensors"), "--out", model, "cannot create files", "permission denied");
                return;
            }
            // Root ignores file permissions: run nn as the unprivileged user 'nobody' instead (setpriv, from util-linux).
            if (NotHere(!File.Exists("/usr/bin/setpriv"), "running as root without setpriv to drop privileges")) return;
            var before = Snapshot(dir.Path);
            var info = new ProcessStartInfo("/usr/bin/setpriv") { WorkingDirectory = dir.Path, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", ChildNn.Host, ChildNn.Dll, "train", "--data", dir.File("d.csv"), "--out", model, .. Quick])
                info.ArgumentList.Add(a);
            info.Environment["HOME"] = dir.Path;
            using var p = Process.Start(info)!;
            var err = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "nn did not finish");
            Assert.Equal(CliApp.BadInput, p.ExitCode);
            Assert.Equal($"nn: --out: {model}: cannot create files in the folder {locked} (permission denied).", err.Trim());
            Assert.Equal(before, Snapshot(dir.Path));
        }
        finally { File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
    }

    [Theory]
    [InlineData(218)]
    [InlineData(240)]
    [InlineData(255)]
    public void Long_legal_names_are_written_and_leave_no_temporary_file(int bytes)
    {
        using var dir = Fixture();
        string Name(string ext) => new string('n', bytes - ext.Length) + ext;
        var model = dir.File(Name(".safetensors"));
        var history = dir.File(Name(".csv"));
        var r = NnCli.Run([.. Args(dir, "train --data d.csv --resume run.ckpt --checkpoint run.ckpt --epochs 3"), "--out", model, "--history", history]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(0, NnCli.Run("eval", "--model", model, "--data", dir.File("d.csv")).Code);
        var predictions = dir.File(Name(".p"));
        r = NnCli.Run("predict", "--model", model, "--data", dir.File("d.csv"), "--out", predictions);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(31, File.ReadAllLines(predictions).Length);
        Assert.True(File.Exists(history));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_name_longer_than_the_file_system_takes_is_refused()
    {
        using var dir = Fixture();
        var name = new string('n', 256);
        Refused(dir, Args(dir, $"train --data d.csv --out {name}"), "--out", name, "256 bytes long");
    }

    [Fact]
    public void Resume_and_checkpoint_may_name_the_same_file_to_continue_a_run()
    {
        using var dir = Fixture();
        var checkpoint = dir.File("run.ckpt");
        var before = File.ReadAllBytes(checkpoint);
        var r = NnCli.Run(Args(dir, "train --data d.csv --out m2.safetensors --resume run.ckpt --checkpoint run.ckpt --epochs 4"));
        Assert.True(r.Code == 0, r.Err);
        Assert.NotEqual(before, File.ReadAllBytes(checkpoint));
        Assert.True(File.Exists(dir.File("m2.safetensors")));
        // Spelled differently, it is still the pair that continues a run.
        r = NnCli.Run(Args(dir, "train --data d.csv --out m3.safetensors --resume run.ckpt --checkpoint sub/../run.ckpt --epochs 5"));
        Assert.True(r.Code == 0, r.Err);
    }

    [Fact]
    public void Demo_refuses_to_write_over_its_bundled_data()
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv");
        var before = File.ReadAllBytes(data);
        try
        {
            var r = NnCli.Run("demo", "--out", data);
            Assert.Equal(CliApp.BadInput, r.Code);
            Assert.Equal($"nn: --out: {data} is also the bundled digits data input; choose another file.", r.Err.Trim());
            Assert.Equal(before, File.ReadAllBytes(data));
        }
        finally
        {
            // Should this test fail, leave the other demo tests their data (a rebuild would not restore a newer file).
            if (!File.ReadAllBytes(data).AsSpan().SequenceEqual(before)) File.WriteAllBytes(data, before);
        }
    }

    [Theory]
    [InlineData("train --data nope.csv --out new.safetensors", "--data")]
    [InlineData("train --data d.csv --test-data nope.csv --out new.safetensors", "--test-data")]
    [InlineData("train --data d.csv --resume nope.ckpt --checkpoint nope.ckpt --out new.safetensors", "--resume")]
    [InlineData("train --data x.npy --labels nope.npy --out new.safetensors", "--labels")]
    [InlineData("eval --model nope.safetensors --data d.csv", "--model")]
    [InlineData("predict --model m.safetensors --data nope.csv --out p.csv", "--data")]
    [InlineData("export --model nope.safetensors --onnx m.onnx", "--model")]
    [InlineData("explain --model m.safetensors --data nope.csv", "--data")]
    [InlineData("gradcheck --model nope.safetensors --data d.csv", "--model")]
    public void A_missing_input_is_named_with_its_flag_before_any_work(string line, string flag)
    {
        using var dir = Fixture();
        var args = Args(dir, line);
        var missing = args[Array.IndexOf(args, flag) + 1];
        Refused(dir, args, flag, missing, "file not found");
    }

    [Fact]
    public void A_folder_given_as_an_input_is_refused()
    {
        using var dir = Fixture();
        Refused(dir, Args(dir, "eval --model sub --data d.csv"), "--model", dir.File("sub"), "is a folder, not a file");
    }
}
