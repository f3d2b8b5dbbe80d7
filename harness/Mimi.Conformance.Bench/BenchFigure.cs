using System.Text.Json.Nodes;

namespace Mimi.Conformance.Bench;

/// <summary>How a figure compares with its target.</summary>
internal enum TargetKind
{
    /// <summary>ratio = value / baseline must be at least the target (throughput).</summary>
    RatioAtLeast,

    /// <summary>ratio = value / baseline must be at most the target (latency growth).</summary>
    RatioAtMost,

    /// <summary>value itself must be at most the target (e.g. seconds, percent).</summary>
    ValueAtMost,

    /// <summary>Recorded only: no target, met is null.</summary>
    None,
}

/// <summary>
/// One figure of bench.json: a value measured in this run, the baseline measured in the same run, their ratio,
/// the target and whether it is met. A figure that could not be measured has a null value and met, and says why.
/// </summary>
internal sealed record BenchFigure(string Key, string Title, double? Value, string Unit, double? Baseline, string BaselineWhat, TargetKind Kind, double? Target, string Definition)
{
    public string? NotMeasured { get; init; }

    public string? Explanation { get; init; }

    public Dictionary<string, JsonNode?> Details { get; init; } = [];

    public double? Ratio => Value is { } v && Baseline is { } b && b != 0 ? Math.Round(v / b, 4) : null;

    public bool? Met => NotMeasured is not null || Value is null ? null : Kind switch
    {
        TargetKind.RatioAtLeast => Ratio is { } r ? r >= Target : null,
        TargetKind.RatioAtMost => Ratio is { } r ? r <= Target : null,
        TargetKind.ValueAtMost => Value <= Target,
        _ => null,
    };

    public string TargetText => Kind switch
    {
        TargetKind.RatioAtLeast => $"ratio >= {Target:0.##}",
        TargetKind.RatioAtMost => $"ratio <= {Target:0.##}",
        TargetKind.ValueAtMost => $"value <= {Target:0.##} {Unit}",
        _ => "none (recorded)",
    };

    public static BenchFigure Missing(string key, string title, string unit, string why) =>
        new(key, title, null, unit, null, "", TargetKind.None, null, "") { NotMeasured = why };

    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["title"] = Title,
            ["value"] = Value is { } v ? Math.Round(v, 4) : null,
            ["unit"] = Unit,
            ["baseline"] = Baseline is { } b ? Math.Round(b, 4) : null,
            ["baseline_what"] = BaselineWhat,
            ["ratio"] = Ratio,
            ["target"] = TargetText,
            ["met"] = Met,
            ["definition"] = Definition,
        };
        var explanation = NotMeasured ?? Explanation;
        if (explanation is not null || Met != true)
            o["explanation"] = explanation ?? (Met is null ? "recorded only: issue #10 sets no target for this figure" : "target missed; see details");
        var details = new JsonObject();
        foreach (var (k, value) in Details)
            details[k] = value?.DeepClone();
        o["details"] = details;
        return o;
    }
}
