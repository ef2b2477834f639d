using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Nn.Properties;

/// <summary>
/// The functional core must have no I/O, no clock and no hidden random state. Rather than trust review, read the
/// metadata of Nn.Pure.dll and refuse any reference to the types that would bring them in.
/// </summary>
public class CoreBoundaryTests
{
    private static readonly string[] Forbidden =
    [
        "System.Console", "System.IO.File", "System.IO.FileStream", "System.IO.StreamReader", "System.IO.StreamWriter",
        "System.IO.Directory", "System.IO.Path", "System.Random", "System.DateTime", "System.DateTimeOffset",
        "System.Diagnostics.Stopwatch", "System.Environment", "System.Threading.Thread", "System.Net.Http.HttpClient",
        "System.Guid", "System.TimeProvider",
    ];

    private static IReadOnlyList<string> ReferencedTypes(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        return md.TypeReferences
            .Select(h => md.GetTypeReference(h))
            .Select(t => $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}")
            .ToList();
    }

    [Fact]
    public void Nn_Pure_references_no_io_clock_or_global_random_type()
    {
        var referenced = ReferencedTypes(typeof(Nn.Network).Assembly.Location);
        Assert.NotEmpty(referenced);
        Assert.Contains("System.Math", referenced); // the scan sees real references
        var bad = referenced.Where(r => Forbidden.Contains(r)).ToList();
        Assert.True(bad.Count == 0, "Nn.Pure references " + string.Join(", ", bad));
    }

    [Fact]
    public void The_scan_would_catch_a_forbidden_reference()
    {
        // Nn.Shell legitimately does I/O, so the same scan must flag it: the test above can fail.
        var referenced = ReferencedTypes(typeof(Nn.Shell.NumericCsv).Assembly.Location);
        Assert.Contains(referenced, r => Forbidden.Contains(r));
    }

    [Fact]
    public void Nn_Pure_depends_on_nothing_but_the_framework()
    {
        var refs = typeof(Nn.Network).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(refs, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"Nn.Pure references {name}"));
    }
}
