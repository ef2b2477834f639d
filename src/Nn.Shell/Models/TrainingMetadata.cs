using System.Text.Json;

namespace Nn.Shell;

/// <summary>
/// The optimizer entries of a checkpoint's metadata (see <see cref="CheckpointFile"/>): the chain of transformations as
/// a JSON tree, and its state link by link (counters in JSON, moments as tensors).
/// </summary>
internal static class TrainingMetadata
{
    /// <summary>
    /// Writes the transformation as <c>{"name", hyper-parameters…}</c> (doubles as round-trip strings), a chain as
    /// <c>{"name": "chain", "links": [...]}</c> and a learning rate's schedule as <c>{"name", parameters…}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">For a transformation that is not one of the library's (it cannot be read back).</exception>
    internal static void WriteOptimizer(Utf8JsonWriter w, GradientTransformation t)
    {
        w.WriteStartObject();
        switch (t)
        {
            case Chain c:
                w.WriteString("name", "chain");
                w.WriteStartArray("links");
                foreach (var l in c.Links) WriteOptimizer(w, l);
                w.WriteEndArray();
                break;
            case ClipByGlobalNorm c:
                w.WriteString("name", "clip-by-global-norm");
                w.WriteString("max_norm", Text.Double(c.MaxNorm));
                break;
            case AddDecayedWeights d:
                w.WriteString("name", "add-decayed-weights");
                w.WriteString("weight_decay", Text.Double(d.WeightDecay));
                break;
            case ScaleByMomentum m:
                w.WriteString("name", "scale-by-momentum");
                w.WriteString("beta", Text.Double(m.Beta));
                w.WriteBoolean("nesterov", m.Nesterov);
                break;
            case ScaleByRms r:
                w.WriteString("name", "scale-by-rms");
                w.WriteString("rho", Text.Double(r.Rho));
                w.WriteString("epsilon", Text.Double(r.Epsilon));
                break;
            case ScaleByAdam a:
                w.WriteString("name", "scale-by-adam");
                w.WriteString("beta1", Text.Double(a.Beta1));
                w.WriteString("beta2", Text.Double(a.Beta2));
                w.WriteString("epsilon", Text.Double(a.Epsilon));
                break;
            case ScaleByLearningRate s:
                w.WriteString("name", "scale-by-learning-rate");
                w.WritePropertyName("schedule");
                WriteSchedule(w, s.Schedule);
                break;
            default:
                throw new ArgumentException($"The optimizer has a transformation this file format cannot hold ({t.GetType().Name}); only the library's own transformations can be saved in a checkpoint.");
        }
        w.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteOptimizer"/> wrote; an unknown name or an out-of-range value throws <see cref="ModelFileException"/>.</summary>
    internal static GradientTransformation ReadOptimizer(MetadataReader meta, JsonElement o, string path = "optimizer")
    {
        var name = meta.Str(meta.Member(o, path, "name"), $"{path}.name");
        double P(string p) => meta.Double(meta.Member(o, path, p), $"{path}.{p}");
        if (name == "chain")
        {
            var links = meta.Array(meta.Member(o, path, "links"), $"{path}.links");
            if (links.IsEmpty) throw meta.Fail($"{path}.links is empty; a chain has at least one transformation.");
            return new Chain(links.Select((l, i) => ReadOptimizer(meta, l, $"{path}.links[{i}]")).ToArray());
        }
        return meta.Wrap($"{path} ({name}) has a hyper-parameter out of range", () => name switch
        {
            "clip-by-global-norm" => (GradientTransformation)new ClipByGlobalNorm(P("max_norm")),
            "add-decayed-weights" => new AddDecayedWeights(P("weight_decay")),
            "scale-by-momentum" => new ScaleByMomentum(P("beta"), meta.Member(o, path, "nesterov").ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw meta.Fail($"{path}.nesterov is not true or false."),
            }),
            "scale-by-rms" => new ScaleByRms(P("rho"), P("epsilon")),
            "scale-by-adam" => new ScaleByAdam(P("beta1"), P("beta2"), P("epsilon")),
            "scale-by-learning-rate" => new ScaleByLearningRate(ReadSchedule(meta, meta.Member(o, path, "schedule"))),
            _ => throw meta.Fail($"{path}.name is \"{name}\"; expected chain, clip-by-global-norm, add-decayed-weights, scale-by-momentum, scale-by-rms, scale-by-adam or scale-by-learning-rate."),
        });
    }

    /// <summary>
    /// The optimizer state's counters as a JSON array, one object per transformation in chain order
    /// (<c>{"count": n}</c> where the transformation counts, else <c>{}</c>), and its moments as named networks:
    /// <c>{index}.m</c>, <c>{index}.v</c>, <c>{index}.velocity</c>, <c>{index}.mean_square</c>.
    /// </summary>
    internal static (string Json, List<(string Name, Network Moment)> Moments) WriteState(GradientTransformation optimizer, OptimizerState state)
    {
        var leaves = new List<(GradientTransformation, OptimizerState)>();
        Flatten(optimizer, state, leaves);
        var moments = new List<(string, Network)>();
        var json = Text.Json(w =>
        {
            w.WriteStartArray();
            for (var i = 0; i < leaves.Count; i++)
            {
                w.WriteStartObject();
                switch (leaves[i].Item2)
                {
                    case ScaleByAdam.State a:
                        w.WriteNumber("count", a.Count);
                        moments.Add(($"{i}.m", a.M));
                        moments.Add(($"{i}.v", a.V));
                        break;
                    case ScaleByMomentum.State m:
                        moments.Add(($"{i}.velocity", m.Velocity));
                        break;
                    case ScaleByRms.State r:
                        moments.Add(($"{i}.mean_square", r.MeanSquare));
                        break;
                    case ScaleByLearningRate.State s:
                        w.WriteNumber("count", s.Count);
                        break;
                    case OptimizerState.Empty:
                        break;
                    default:
                        throw new ArgumentException($"The optimizer has a transformation this file format cannot hold ({leaves[i].Item1.GetType().Name}, state {leaves[i].Item2.GetType().Name}); only the library's own transformations can be saved in a checkpoint.");
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
        return (json, moments);
    }

    /// <summary>Reads what <see cref="WriteState"/> wrote for <paramref name="optimizer"/>, taking each moment with <paramref name="moment"/>.</summary>
    internal static OptimizerState ReadState(MetadataReader meta, GradientTransformation optimizer, JsonElement states, Func<string, Network> moment)
    {
        var entries = meta.Array(states, "state.optimizer_state");
        var next = 0;
        var state = Read(optimizer);
        if (next != entries.Length) throw meta.Fail($"state.optimizer_state has {entries.Length} entries but the optimizer has {next} transformations.");
        return state;

        OptimizerState Read(GradientTransformation t)
        {
            if (t is Chain c) return new Chain.State([.. c.Links.Select(Read)]);
            var i = next++;
            if (i >= entries.Length) throw meta.Fail($"state.optimizer_state has {entries.Length} entries, fewer than the optimizer's transformations.");
            var e = entries[i];
            long Count() => meta.Long(meta.Member(e, $"state.optimizer_state[{i}]", "count"), $"state.optimizer_state[{i}].count");
            return meta.Wrap($"state.optimizer_state[{i}] is out of range", () => t switch
            {
                ScaleByAdam => (OptimizerState)new ScaleByAdam.State(Count(), moment($"{i}.m"), moment($"{i}.v")),
                ScaleByMomentum => new ScaleByMomentum.State(moment($"{i}.velocity")),
                ScaleByRms => new ScaleByRms.State(moment($"{i}.mean_square")),
                ScaleByLearningRate => new ScaleByLearningRate.State(Count()),
                _ => OptimizerState.Empty.Value,
            });
        }
    }

    private static void Flatten(GradientTransformation t, OptimizerState s, List<(GradientTransformation, OptimizerState)> into)
    {
        if (t is Chain c)
        {
            if (s is not Chain.State cs || cs.Links.Length != c.Links.Length)
                throw new ArgumentException($"The optimizer state ({s}) does not belong to the optimizer ({t}).");
            for (var i = 0; i < c.Links.Length; i++) Flatten(c.Links[i], cs.Links[i], into);
        }
        else into.Add((t, s));
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
            case Schedule.Warmup u:
                w.WriteString("name", "warmup");
                w.WriteNumber("steps", u.Steps);
                w.WritePropertyName("after");
                WriteSchedule(w, u.After);
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
            "warmup" => new Schedule.Warmup(L("steps"), ReadSchedule(meta, meta.Member(s, "schedule", "after"))),
            _ => throw meta.Fail($"schedule.name is \"{name}\"; expected constant, step, exponential, cosine or warmup."),
        });
    }
}
