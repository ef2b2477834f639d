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

    /// <summary>The functions whose results the IEEE standard does not fix: they come from the platform's C library.</summary>
    private static readonly string[] CLibraryFunctions =
    [
        "Exp", "Exp2", "Exp10", "ExpM1", "Exp2M1", "Exp10M1", "Log", "Log2", "Log10", "LogP1", "Log2P1", "Log10P1", "Pow", "Cbrt",
        "RootN", "Hypot", "Sin", "Cos", "Tan", "SinCos", "SinPi", "CosPi", "TanPi", "SinCosPi", "Asin", "Acos", "Atan", "Atan2",
        "AsinPi", "AcosPi", "AtanPi", "Atan2Pi", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh",
    ];

    private static IReadOnlyList<string> CLibraryCalls(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var calls = new List<string>();
        foreach (var h in md.MemberReferences)
        {
            var member = md.GetMemberReference(h);
            if (member.Parent.Kind != HandleKind.TypeReference) continue;
            var type = md.GetTypeReference((TypeReferenceHandle)member.Parent);
            var name = $"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}";
            if (name is "System.Math" or "System.MathF" or "System.Double" or "System.Single" && CLibraryFunctions.Contains(md.GetString(member.Name)))
                calls.Add($"{name}.{md.GetString(member.Name)}");
        }
        return calls;
    }

    [Fact]
    public void No_value_Nn_Pure_computes_goes_through_a_C_library_function()
    {
        // D3: exp, log, sin, cos, pow, tanh, … round differently on other C libraries; the core uses its own kernels
        // (Kernels.Exponential, Logarithm, Trigonometry, …). √, +, −, ×, ÷ and fused multiply-add are exact and allowed.
        var calls = CLibraryCalls(typeof(Nn.Network).Assembly.Location);
        Assert.True(calls.Count == 0, "Nn.Pure calls " + string.Join(", ", calls.Distinct()));
    }

    [Fact]
    public void The_C_library_scan_would_catch_a_call()
    {
        // This test assembly calls Math.Log and Math.Pow (its reference implementations do): the scan must see them.
        Assert.True(Math.Log(Math.E) > 0 && Math.Pow(2, 3) == 8);
        var calls = CLibraryCalls(typeof(CoreBoundaryTests).Assembly.Location);
        Assert.Contains("System.Math.Log", calls);
        Assert.Contains("System.Math.Pow", calls);
    }
}
