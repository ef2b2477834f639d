using System.Collections.Immutable;

namespace Nn;

/// <summary>The one spelling of the <see cref="TaskKind"/> names (classification, regression, multilabel), for files, flags and reports.</summary>
public static class TaskKinds
{
    /// <summary>The names in order: classification, regression, multilabel.</summary>
    public static ImmutableArray<string> Names { get; } = ["classification", "regression", "multilabel"];

    /// <summary>The name of <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">For a value that is not a case.</exception>
    public static string Name(TaskKind task) => task switch
    {
        TaskKind.Classification => Names[0],
        TaskKind.Regression => Names[1],
        TaskKind.Multilabel => Names[2],
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    /// <summary>The task named <paramref name="name"/> (exactly as <see cref="Name"/> writes it), or null.</summary>
    public static TaskKind? TryParse(string name) =>
        name == Names[0] ? TaskKind.Classification : name == Names[1] ? TaskKind.Regression : name == Names[2] ? TaskKind.Multilabel : null;
}
