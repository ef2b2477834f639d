using Nn.Examples.Support;

namespace Nn.Examples;

/// <summary>docs/guide-csharp.md is compiled (GuideCSharp.cs), kept identical to the guide's code blocks, and run.</summary>
public sealed class GuideCSharpTests
{
    [Fact]
    public void Guide_code_blocks_are_the_code_in_GuideCSharp_cs()
    {
        var guide = File.ReadAllText(Path.Combine(BundledData.RepositoryRoot, "docs", "guide-csharp.md"));
        var source = File.ReadAllText(Path.Combine(BundledData.RepositoryRoot, "tests", "Nn.Examples", "GuideCSharp.cs"));
        MarkdownCode.AssertBlocksAreSource(guide, source);
    }

    [Fact]
    public void Guide_trains_a_moons_classifier_saves_it_and_writes_a_report()
    {
        var r = GuideCSharp.Run();
        try
        {
            Assert.True(r.HeldOutR2 > 0.95, $"held-out R² {r.HeldOutR2}");
            Assert.Equal(r.HeldOutR2, r.Score, 12);
            Assert.InRange(r.HeldOutRmse, 0, 0.5);
            Assert.True(File.Exists(Path.Combine(r.Folder, "linear.safetensors")));
            Assert.True(r.TestAccuracy >= 0.95, $"accuracy {r.TestAccuracy}");
            Assert.InRange(r.Ece, 0, 0.2);
            Assert.True(r.GradientCheckPassed, "gradient check, and the hand-written loop equals Trainer.Fit bit for bit");
            Assert.Equal(60, r.Epochs);
            Assert.True(r.SamePredictionsAfterLoading);
            Assert.Contains("<section id=\"loss\"", File.ReadAllText(r.ReportPath), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(r.Folder, recursive: true);
        }
    }
}
