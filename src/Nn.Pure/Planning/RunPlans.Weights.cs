using System.Collections.Immutable;

namespace Nn;

/// <summary>The row weights of a fit: class weights and sample weights, combined.</summary>
public static partial class RunPlans
{
    /// <summary>
    /// The weight of every row of the data (rows = the target's length) in the loss, or null when the fit weighs nothing
    /// (no <see cref="FitSettings.ClassWeight"/>, no <paramref name="sampleWeights"/>): a row's sample weight times its
    /// class's weight (<see cref="ClassWeight.PerClass"/>, balanced counted over <see cref="RunPlan.TrainRows"/>) when both
    /// are given, else the one given. Training and validation rows carry their weights (the validation loss early
    /// stopping watches is weighted too); test metrics are not.
    /// </summary>
    /// <exception cref="ArgumentException">For class weights on a regression target, a class weight for a label the target
    /// does not have, or weights that are all 0 on the training rows; the message starts with the setting's name as
    /// <paramref name="label"/> gives it.</exception>
    public static Vector? RowWeights(FitSettings settings, RunPlan plan, EncodedTarget target, IReadOnlyList<double>? sampleWeights, Func<string, string>? label = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(target);
        label ??= static name => name;
        if (settings.ClassWeight is null && sampleWeights is null) return null;
        var n = target.Task == TaskKind.Classification ? target.ClassIndices.Length : target.Values.Length;
        if (sampleWeights is not null && sampleWeights.Count != n)
            throw new ArgumentException($"there are {sampleWeights.Count} sample weights for {n} rows.", nameof(sampleWeights));
        var w = new double[n];
        for (var r = 0; r < n; r++) w[r] = sampleWeights?[r] ?? 1.0;
        if (settings.ClassWeight is { } classWeight)
        {
            var flag = label(nameof(FitSettings.ClassWeight));
            if (plan.Task != TaskKind.Classification)
                throw new ArgumentException($"{flag}: goes with a classification target; this target is a regression (use sample weights).");
            ImmutableArray<double> perClass;
            try { perClass = ClassWeight.PerClass(classWeight, plan.Labels, [.. plan.TrainRows.Select(r => target.ClassIndices[r])]); }
            catch (ArgumentException e) { throw new ArgumentException($"{flag}: {e.Message}"); }
            for (var r = 0; r < n; r++) w[r] *= perClass[target.ClassIndices[r]];
        }
        var total = 0.0;
        foreach (var r in plan.TrainRows) total += w[r];
        if (!(total > 0))
            throw new ArgumentException($"{(settings.ClassWeight is null ? "the sample weights" : label(nameof(FitSettings.ClassWeight)))}: every training row weighs 0; at least one must weigh more.");
        return Vector.Create(w);
    }

    /// <summary>The training and validation data of <paramref name="prepared"/> with their rows' <paramref name="weights"/> (unchanged for null).</summary>
    public static PreparedRun WithRowWeights(PreparedRun prepared, RunPlan plan, Vector? weights)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(plan);
        if (weights is null) return prepared;
        var all = weights.ToArray();
        Vector Rows(ImmutableArray<int> rows) => Vector.Create(rows.Select(r => all[r]));
        return prepared with
        {
            Train = prepared.Train.WithWeights(plan.AllRows ? weights : Rows(plan.TrainRows)),
            Validation = prepared.Validation?.WithWeights(Rows(plan.ValidationRows)),
        };
    }
}
