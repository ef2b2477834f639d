using Nn.Shell;

namespace Nn.Properties.ModelFiles;

/// <summary>Saving replaces the file atomically and never leaves temporary files behind.</summary>
public sealed class AtomicSaveTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nn-model-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string[] Files() => [.. Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void Saving_over_an_existing_file_replaces_it_and_leaves_no_temp_files()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        var first = ModelGens.SmallClassifier();
        var second = first with { Network = Parameters.Scale(2, first.Network) };
        ModelFile.Save(path, first);
        Assert.Equal(first, ModelFile.Load(path));
        ModelFile.Save(path, second);
        Assert.Equal(second, ModelFile.Load(path));
        Assert.Equal(["model.safetensors"], Files());
        Assert.Equal(ModelFile.ToBytes(second), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_failed_save_keeps_the_previous_file_and_leaves_no_temp_files()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        var good = ModelGens.SmallClassifier();
        ModelFile.Save(path, good);
        var bad = good with { Network = Parameters.Map(good.Network, _ => double.PositiveInfinity) };
        Assert.Throws<ArgumentException>(() => ModelFile.Save(path, bad));
        Assert.Equal(good, ModelFile.Load(path));
        Assert.Equal(["model.safetensors"], Files());
    }

    [Fact]
    public void A_save_that_fails_while_replacing_deletes_its_temp_file()
    {
        var path = Path.Combine(_folder, "taken");
        Directory.CreateDirectory(path); // a folder where the file should go: the final move fails
        Assert.ThrowsAny<IOException>(() => ModelFile.Save(path, ModelGens.SmallClassifier()));
        Assert.Equal(["taken"], Files());
    }

    [Fact]
    public void Checkpoints_save_and_load_atomically_too()
    {
        var path = Path.Combine(_folder, "run.ckpt.safetensors");
        var checkpoint = ModelGens.SmallCheckpoint();
        CheckpointFile.Save(path, checkpoint);
        CheckpointFile.Save(path, checkpoint);
        Assert.Equal(checkpoint, CheckpointFile.Load(path));
        Assert.Equal(["run.ckpt.safetensors"], Files());
    }

    [Fact]
    public void Loading_names_the_path_in_errors()
    {
        var path = Path.Combine(_folder, "empty.safetensors");
        File.WriteAllBytes(path, []);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.StartsWith(path + ": the file is empty", e.Message);
    }

    [Fact]
    public void A_later_save_deletes_stale_temp_files_of_the_same_target_only()
    {
        var path = Path.Combine(_folder, "model.safetensors");
        string Temp(string name) => Path.Combine(_folder, $".{name}.{Guid.NewGuid():N}.tmp");
        var stale = Temp("model.safetensors");
        var fresh = Temp("model.safetensors");
        var other = Temp("other.safetensors");
        foreach (var f in new[] { stale, fresh, other }) File.WriteAllBytes(f, [1, 2, 3]);
        var old = DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1);
        File.SetLastWriteTimeUtc(stale, old);
        File.SetLastWriteTimeUtc(other, old);
        ModelFile.Save(path, ModelGens.SmallClassifier());
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh), "a recent temporary file may belong to a live writer");
        Assert.True(File.Exists(other), "another target's temporary files are left alone");
    }

    [Theory]
    [InlineData(217)]
    [InlineData(218)]
    [InlineData(255)]
    public void Names_up_to_255_bytes_save_and_their_stale_temporaries_are_deleted(int bytes)
    {
        var name = new string('é', (bytes - 12) / 2) + new string('n', (bytes - 12) % 2) + ".safetensors"; // 2-byte characters too
        Assert.Equal(bytes, System.Text.Encoding.UTF8.GetByteCount(name));
        var path = Path.Combine(_folder, name);
        var stale = AtomicFile.TemporaryPath(path);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(stale)) <= AtomicFile.MaxNameBytes);
        File.WriteAllBytes(stale, [1, 2, 3]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));
        var other = AtomicFile.TemporaryPath(Path.Combine(_folder, name[..^1] + "x")); // a name sharing the same first characters
        File.WriteAllBytes(other, [1, 2, 3]);
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));
        var model = ModelGens.SmallClassifier();
        ModelFile.Save(path, model);
        Assert.Equal(model, ModelFile.Load(path));
        Assert.Equal([Path.GetFileName(other), name], Files()); // the stale temporary went, the other target's stayed
    }

    [Fact]
    public void A_failed_write_names_the_target_never_the_temporary_file()
    {
        var path = Path.Combine(_folder, "missing", "model.safetensors");
        var e = Assert.ThrowsAny<IOException>(() => ModelFile.Save(path, ModelGens.SmallClassifier()));
        Assert.Equal($"{path}: could not write the file: its folder does not exist.", e.Message);
        var taken = Path.Combine(_folder, "taken");
        Directory.CreateDirectory(taken);
        e = Assert.ThrowsAny<IOException>(() => ModelFile.Save(taken, ModelGens.SmallClassifier()));
        Assert.StartsWith($"{taken}: could not write the file: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp", e.Message, StringComparison.Ordinal);
    }
}
