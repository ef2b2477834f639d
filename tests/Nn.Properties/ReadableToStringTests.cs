using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Nn.Shell;

namespace Nn.Properties;

/// <summary>
/// Every public record of Nn.Pure and Nn.Shell prints its collections' items: the compiler's <c>ToString</c> would show
/// <c>Labels = System.Collections.Immutable.ImmutableArray`1[System.String]</c>, useless in a debugger, a log or an
/// FsCheck counterexample.
/// </summary>
public class ReadableToStringTests
{
    private static readonly Assembly[] Assemblies = [typeof(Network).Assembly, typeof(ModelInfo).Assembly];

    private static bool IsRecord(Type t) => t.GetMethod("<Clone>$", BindingFlags.Instance | BindingFlags.Public) is not null;

    private static bool IsCollection(Type t) =>
        t != typeof(string) && (t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() is var g
            && (g == typeof(ImmutableArray<>) || g == typeof(IReadOnlyList<>) || g == typeof(IReadOnlyCollection<>)
                || g == typeof(IList<>) || g == typeof(List<>) || g == typeof(IEnumerable<>))));

    // inherit: false, since CompilerGenerated is inherited: an override would otherwise take the base record's attribute.
    private static bool Written(MethodInfo? m) => m is not null && !m.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>
    /// True when the record prints with code someone wrote: it declares its own <c>ToString</c> or <c>PrintMembers</c>, or
    /// inherits a sealed, written <c>ToString</c> (which then prints every case).
    /// </summary>
    private static bool PrintsReadably(Type t)
    {
        const BindingFlags Own = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var toString = t.GetMethod(nameof(ToString), Own, Type.EmptyTypes);
        var printMembers = t.GetMethod("PrintMembers", Own, [typeof(StringBuilder)]);
        var inherited = t.GetMethod(nameof(ToString), Type.EmptyTypes);
        return Written(toString) || Written(printMembers) || (inherited is { IsFinal: true } && Written(inherited));
    }

    /// <summary>The public records of <paramref name="assemblies"/> that hold a collection but print with the compiler's code.</summary>
    private static List<string> Unreadable(IEnumerable<Type> types) =>
    [
        .. types
            .Where(t => (t.IsPublic || t.IsNestedPublic) && IsRecord(t))
            .Where(t => t.GetProperties(BindingFlags.Instance | BindingFlags.Public).Any(p => IsCollection(p.PropertyType)))
            .Where(t => !PrintsReadably(t))
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void Every_public_record_holding_a_collection_writes_its_own_ToString_or_PrintMembers()
    {
        var unreadable = Unreadable(Assemblies.SelectMany(a => a.GetTypes()));
        Assert.True(unreadable.Count == 0, "records that print a collection as its type name:\n" + string.Join("\n", unreadable));
    }

    /// <summary>A test of the test: the scan sees a record with the compiler's ToString, and passes one with its own.</summary>
    [Fact]
    public void The_scan_would_catch_a_record_with_the_compilers_ToString() =>
        Assert.Equal([typeof(Unprintable).FullName!], Unreadable([typeof(Unprintable), typeof(Printable)]));

    public sealed record Unprintable(ImmutableArray<int> Items);

    public sealed record Printable(ImmutableArray<int> Items)
    {
        public override string ToString() => $"Printable {string.Join(", ", Items)}";
    }

    public static TheoryData<string, object, string[]> Samples()
    {
        var confusion = Classification.Confusion([0, 1, 1, 0], [0, 1, 0, 0], 2);
        var report = Classification.Report(confusion);
        var calibration = Calibration.ExpectedCalibrationError([0, 1], Matrix.FromRows([[0.8, 0.2], [0.3, 0.7]]), 2);
        var net = Init.Mlp(Key.FromSeed(1), [2, 3, 2], Activations.Tanh, Activations.Softmax, InitSchemes.XavierNormal);
        var trace = Forward.Run(net, Matrix.FromRows([[0.5, -0.5]]));
        var info = new ModelInfo(TaskKind.Classification, ["height", "width"], "kind", ["cat", "dog"], Losses.CategoricalCrossEntropy,
            FeatureScaling.None(2), null, [new Setting("seed", "7")], "");
        var metrics = new ClassificationMetrics(["cat", "dog"], report, confusion, 1.0, calibration, 0.25);
        return new()
        {
            { "ModelInfo", info, ["\"height\"", "\"width\"", "\"cat\"", "\"dog\"", "cce", "seed"] },
            { "EncodedTarget", TargetEncoding.Encode(["b", "a", "b"], TaskKind.Classification), ["\"a\"", "\"b\"", "[1, 0, 1]"] },
            { "TrainTestSplit", Split.TrainTest(Key.FromSeed(1), 10, 0.2), ["Train = [", "Test = ["] },
            { "Stratified", Split.Stratified(Key.FromSeed(1), [0, 0, 1, 1, 0, 1], 0.5), ["Train = [", "Test = ["] },
            { "ClassificationReport", report, ["support=[2, 2]", "accuracy=0.75"] },
            { "ConfusionMatrix", confusion, ["[2, 0]", "[1, 1]"] },
            { "Prediction.Classification", new Prediction.Classification(Matrix.FromRows([[0.9, 0.1]]), [0]), ["Classes = [0]", "Matrix[1×2]"] },
            { "Prediction.Regression", new Prediction.Regression([1.5, 2.5, 3, 4, 5, 6, 7, 8]), ["[1.5, 2.5, 3, 4, 5, 6, … 8 items]"] },
            { "EvalReport.Classification", new EvalReport.Classification(4, metrics), ["N = 4", "\"cat\"", "\"dog\""] },
            { "Trace", trace, ["Layers = [", "LayerTrace"] },
            { "Network", net, ["2→3(tanh)→2(softmax)"] },
        };
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void ToString_shows_the_items_not_the_collection_type(string name, object value, string[] expected)
    {
        var text = value.ToString()!;
        Assert.DoesNotContain("System.Collections", text, StringComparison.Ordinal);
        Assert.DoesNotContain("`1[", text, StringComparison.Ordinal);
        foreach (var e in expected) Assert.True(text.Contains(e, StringComparison.Ordinal), $"{name}: expected '{e}' in {text}");
    }
}
