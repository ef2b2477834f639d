using System.Reflection;
using System.Runtime.CompilerServices;

namespace Nn.Properties;

/// <summary>
/// Settings are values: no static field or property of Nn.Pure can be written after start-up (no process-wide thread
/// count or kernel switch that one caller sets and another sees). Threads and kernel policy travel in
/// <see cref="ComputeOptions"/>. What remains static is read-only: constants, the worker threads (a resource) and each
/// thread's cache of scratch arrays (memory, never a setting: every borrower passes its own options).
/// </summary>
public class NoMutableStaticsTests
{
    private const BindingFlags Statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>Every writable static of an assembly: fields that are neither const nor readonly, properties with a setter.</summary>
    private static List<string> WritableStatics(Assembly assembly) =>
    [
        .. assembly.GetTypes()
            // The compiler's own caches of lambdas (<>c) are written once per delegate; they hold no setting.
            .Where(t => t.GetCustomAttribute<CompilerGeneratedAttribute>() is null)
            .SelectMany(t => t.GetFields(Statics).Where(f => !f.IsLiteral && !f.IsInitOnly).Select(f => $"field {t.FullName}.{f.Name}")
                .Concat(t.GetProperties(Statics).Where(p => p.SetMethod is not null).Select(p => $"property {t.FullName}.{p.Name}")))
            .Order(StringComparer.Ordinal),
    ];

    [Fact]
    public void Nn_Pure_has_no_static_that_can_be_written_after_start_up()
    {
        var writable = WritableStatics(typeof(Network).Assembly);
        Assert.True(writable.Count == 0, "writable statics in Nn.Pure:\n" + string.Join("\n", writable));
    }

    [Fact]
    public void The_scan_would_catch_a_writable_static() =>
        Assert.Contains(WritableStatics(typeof(NoMutableStaticsTests).Assembly), s => s.EndsWith(".Probe", StringComparison.Ordinal));

    // The scan must see this one: a test of the test.
    internal static int Probe { get; set; }
}
