using System.Text.Json;

namespace Nn.Shell;

/// <summary>The optimizer and schedule entries of a checkpoint's metadata (see <see cref="CheckpointFile"/>).</summary>
internal static class TrainingMetadata
{
    /// <summary>Writes <c>{"name", hyper-parameters…}</c>, each double a round-trip string.</summary>
    internal static void WriteOptimizer(Utf8JsonWriter w, Optimizer optimizer)
    {
        w.WriteStartObject();
        w.WriteString("name", optimizer.Name);
        foreach (var (name, value) in OptimizerParameters(optimizer)) w.WriteString(name, Text.Double(value));
        w.WriteEndObject();
    }

    private static (string, double)[] OptimizerParameters(Optimizer optimizer) => optimizer switch
    {
        Optimizer.Sgd o => [("learning_rate", o.LearningRate)],
        Optimizer.Momentum o => [("learning_rate", o.LearningRate), ("beta", o.Beta)],
        Optimizer.Nesterov o => [("learning_rate", o.LearningRate), ("beta", o.Beta)],
        Optimizer.RmsProp o => [("learning_rate", o.LearningRate), ("rho", o.Rho), ("epsilon", o.Epsilon)],
        Optimizer.Adam o => [("learning_rate", o.LearningRate), ("beta1", o.Beta1), ("beta2", o.Beta2), ("epsilon", o.Epsilon)],
        Optimizer.AdamW o => [("learning_rate", o.LearningRate), ("beta1", o.Beta1), ("beta2", o.Beta2), ("epsilon", o.Epsilon), ("weight_decay", o.WeightDecay)],
        _ => throw new ArgumentException($"Unknown optimizer {optimizer}."),
    };

    /// <summary>Reads what <see cref="WriteOptimizer"/> wrote; an unknown name or an out-of-range value throws <see cref="ModelFileException"/>.</summary>
    internal static Optimizer ReadOptimizer(MetadataReader meta, JsonElement o)
    {
        var name = meta.Str(meta.Member(o, "optimizer", "name"), "optimizer.name");
        double P(string p) => meta.Double(meta.Member(o, "optimizer", p), $"optimizer.{p}");
        return meta.Wrap($"optimizer {name} has a hyper-parameter out of range", () => name switch
        {
            "sgd" => (Optimizer)new Optimizer.Sgd(P("learning_rate")),
            "momentum" => new Optimizer.Momentum(P("learning_rate"), P("beta")),
            "nesterov" => new Optimizer.Nesterov(P("learning_rate"), P("beta")),
            "rmsprop" => new Optimizer.RmsProp(P("learning_rate"), P("rho"), P("epsilon")),
            "adam" => new Optimizer.Adam(P("learning_rate"), P("beta1"), P("beta2"), P("epsilon")),
            "adamw" => new Optimizer.AdamW(P("learning_rate"), P("beta1"), P("beta2"), P("epsilon"), P("weight_decay")),
            _ => throw meta.Fail($"optimizer.name is \"{name}\"; expected sgd, momentum, nesterov, rmsprop, adam or adamw."),
        });
    }

    /// <summary>Writes <c>{"name", parameters…}</c>: doubles as round-trip strings, step counts as integers.</summary>
    internal static void WriteSchedule(Utf8JsonWriter w, Schedule schedule)
    {
        w.WriteStartObject();
        switch (schedule)
        {
            case Schedule.Constant c:
                w.WriteString("name", "constant");
                w.WriteString("rate", Text.Double(c.Rate));
                break;
            case Schedule.Step s:
                w.WriteString("name", "step");
                w.WriteString("initial", Text.Double(s.Initial));
                w.WriteString("factor", Text.Double(s.Factor));
                w.WriteNumber("every", s.Every);
                break;
            case Schedule.Exponential e:
                w.WriteString("name", "exponential");
                w.WriteString("initial", Text.Double(e.Initial));
                w.WriteString("decay", Text.Double(e.Decay));
                break;
            case Schedule.Cosine c:
                w.WriteString("name", "cosine");
                w.WriteString("initial", Text.Double(c.Initial));
                w.WriteNumber("total_steps", c.TotalSteps);
                w.WriteString("minimum", Text.Double(c.Minimum));
                break;
            default:
                throw new ArgumentException($"Unknown schedule {schedule}.");
        }
        w.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteSchedule"/> wrote; an unknown name or an out-of-range value throws <see cref="ModelFileException"/>.</summary>
    internal static Schedule ReadSchedule(MetadataReader meta, JsonElement s)
    {
        var name = meta.Str(meta.Member(s, "schedule", "name"), "schedule.name");
        double D(string p) => meta.Double(meta.Member(s, "schedule", p), $"schedule.{p}");
        long L(string p) => meta.Long(meta.Member(s, "schedule", p), $"schedule.{p}");
        return meta.Wrap($"schedule {name} has a parameter out of range", () => name switch
        {
            "constant" => (Schedule)new Schedule.Constant(D("rate")),
            "step" => new Schedule.Step(D("initial"), D("factor"), L("every")),
            "exponential" => new Schedule.Exponential(D("initial"), D("decay")),
            "cosine" => new Schedule.Cosine(D("initial"), L("total_steps"), D("minimum")),
            _ => throw meta.Fail($"schedule.name is \"{name}\"; expected constant, step, exponential or cosine."),
        });
    }
}
