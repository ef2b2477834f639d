using Nn.Examples.Support;

namespace Nn.Examples;

/// <summary>docs/custom-components.md is compiled (CustomComponents.cs), kept identical to the page's C# blocks, and run.</summary>
public sealed class CustomComponentsTests
{
    [Fact]
    public void The_pages_code_blocks_are_the_code_in_CustomComponents_cs()
    {
        var page = File.ReadAllText(Path.Combine(BundledData.RepositoryRoot, "docs", "custom-components.md"));
        var source = File.ReadAllText(Path.Combine(BundledData.RepositoryRoot, "tests", "Nn.Examples", "CustomComponents.cs"));
        MarkdownCode.AssertBlocksAreSource(page, source);
    }

    [Fact]
    public void A_custom_activation_passes_the_check_a_forgotten_term_fails_it_and_the_model_loads_back()
    {
        var r = CustomComponents.Run();
        try
        {
            Assert.Equal(GradientVerdict.Passed, r.Check);
            Assert.Equal(GradientVerdict.Failed, r.Bad);
            Assert.Equal(GradientVerdict.Passed, r.Huber);
            Assert.True(r.LoadedEqualsSaved);
        }
        finally { Directory.Delete(r.Folder, recursive: true); }
    }
}
