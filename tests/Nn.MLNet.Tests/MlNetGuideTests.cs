using Nn.Examples.Support;
using Nn.MLNet.Tests.Support;

namespace Nn.MLNet.Tests;

/// <summary>docs/mlnet.md's example is the code in MlNetGuide.cs, and it runs: good accuracy, the same classes after reloading.</summary>
public sealed class MlNetGuideTests
{
    [Fact]
    public void Guide_code_blocks_are_the_code_in_MlNetGuide_cs()
    {
        var guide = File.ReadAllText(Path.Combine(Bundled.RepositoryRoot, "docs", "mlnet.md"));
        var source = File.ReadAllText(Path.Combine(Bundled.RepositoryRoot, "tests", "Nn.MLNet.Tests", "MlNetGuide.cs"));
        MarkdownCode.AssertBlocksAreSource(guide, source);
    }

    [Fact]
    public void Guide_pipeline_trains_evaluates_saves_and_reloads()
    {
        var folder = Directory.CreateTempSubdirectory("nn-mlnet-guide-").FullName;
        try
        {
            var r = MlNetGuide.Run(Path.Combine(Bundled.RepositoryRoot, "data", "wine.csv"), Path.Combine(folder, "wine.safetensors"));
            Assert.True(r.Accuracy >= 0.9, $"accuracy {r.Accuracy}");
            Assert.InRange(r.LogLoss, 0, 0.5);
            Assert.Equal(r.PredictedClasses, r.ReloadedClasses);
            Assert.Subset(new HashSet<string> { "0", "1", "2" }, r.PredictedClasses.ToHashSet());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
