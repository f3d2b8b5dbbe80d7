namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// The suite run N times against one DP (run --repeat N) as one outcome: each test once, carrying all its repetitions.
/// Whether they agree is graded later, at the level of each requirement and rule (<see cref="ReportBuilder"/>).
/// </summary>
public static class SuiteRepetitions
{
    public static SuiteOutcome Merge(IReadOnlyList<SuiteOutcome> repetitions)
    {
        if (repetitions.Count == 1)
            return repetitions[0];
        var runs = repetitions.Select(r => r.Run?.Tests ?? []).ToList();
        var names = runs.SelectMany(t => t).Select(t => t.Name).Distinct(StringComparer.Ordinal).ToList();
        var byName = runs.Select(tests => tests.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).ToList();
        var tests = names.Select(name =>
        {
            // A repetition that lost the test (its run stopped early) says so, as the suite's own NotRun would.
            IReadOnlyList<RawTest> each = [.. byName.Select((run, i) => run.GetValueOrDefault(name)
                ?? Missing(byName.Select(r => r.GetValueOrDefault(name)).OfType<RawTest>().First(), i + 1))];
            // The evidence shown is the first repetition that did not pass: that is where the difference is.
            var shown = each.FirstOrDefault(t => t.Result != "Pass") ?? each[0];
            return shown with { Repetitions = each };
        }).ToList();
        var failures = repetitions.Select((r, i) => r.Failure is null ? null : $"repetition {i + 1}: {r.Failure}").OfType<string>().ToList();
        var total = repetitions.Select(r => r.Run?.Total ?? 0).Max();
        return new SuiteOutcome(
            repetitions.All(r => r.Run is null) ? null : new RawRun(total, tests),
            failures.Count == 0 ? null : string.Join("; ", failures),
            repetitions.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Elapsed));
    }

    private static RawTest Missing(RawTest template, int repetition) =>
        template with { Result = "NotRun", Reason = $"repetition {repetition} did not run the test", ExceptionType = null, Message = null, Seconds = 0, Checks = [], Exchanges = [] };
}
