using System.Diagnostics;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>How one case came out: pass, fail (a wrong answer), error (no usable answer) or not-verifiable (op not offered).</summary>
internal sealed record CaseResult(SenderCase Case, Verdict Outcome, string? Reason, IReadOnlyList<CaseCheck> Checks, IReadOnlyList<Exchange> Exchanges, long DurationMs);

/// <summary>A sender run's options: the adapter, the per-call timeout, the whole-run budget.</summary>
internal sealed record SenderRunOptions(AdapterCommand Adapter, TimeSpan CallTimeout, TimeSpan Budget, string Profile);

/// <summary>Every case's result, the adapter's identity (null when no handshake succeeded) and the run's times.</summary>
internal sealed record SenderRunResult(AdapterCommand Adapter, AdapterIdentity? Identity, IReadOnlyList<CaseResult> Cases, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, string? Incomplete);

/// <summary>
/// Runs cases through one adapter (vectors/SENDER-ADAPTER.md §6): one process for as long as it behaves; after an
/// exit, a timeout or garbage the case is an error with the reason and a fresh process takes the next case. Three
/// failed starts in a row end the attempts: the remaining cases are errors with the last start's reason.
/// </summary>
internal static class SenderRun
{
    private const int MaxFailedStarts = 3;
    private const int ExchangeCap = 4096;

    public static async Task<SenderRunResult> ExecuteAsync(SenderRunOptions options, IReadOnlyList<SenderCase> cases, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var budget = Stopwatch.StartNew();
        var results = new List<CaseResult>(cases.Count);
        AdapterProcess? adapter = null;
        AdapterIdentity? identity = null;
        string? startFailure = null;
        var failedStarts = 0;
        HostileDp? dp = null;
        string? incomplete = null;
        try
        {
            foreach (var c in cases)
            {
                if (budget.Elapsed > options.Budget)
                {
                    incomplete ??= $"the run's budget of {options.Budget.TotalSeconds:0} s was spent";
                    results.Add(new CaseResult(c, Verdict.Error, incomplete + "; case not run", [], [], 0));
                    continue;
                }
                if (adapter is null || adapter.Broken)
                {
                    if (adapter is not null)
                        await adapter.DisposeAsync();
                    adapter = null;
                    if (failedStarts >= MaxFailedStarts)
                    {
                        results.Add(new CaseResult(c, Verdict.Error, $"not run: the adapter failed to start {MaxFailedStarts} times in a row; last: {startFailure}", [], [], 0));
                        continue;
                    }
                    (adapter, startFailure) = await AdapterProcess.StartAsync(options.Adapter, options.Profile, options.CallTimeout, ct);
                    if (adapter is null)
                    {
                        failedStarts++;
                        results.Add(new CaseResult(c, Verdict.Error, startFailure, [], [], 0));
                        continue;
                    }
                    failedStarts = 0;
                    identity ??= adapter.Identity;
                }
                if (!adapter.Identity!.Ops.Contains(c.Op))
                {
                    results.Add(new CaseResult(c, Verdict.NotVerifiable, $"the adapter does not offer \"{c.Op}\" (handshake ops)", [], [], 0));
                    continue;
                }
                var watch = Stopwatch.StartNew();
                if (c.Scenario is { } scenario)
                {
                    dp ??= await HostileDp.StartAsync(time, ct);
                    results.Add(await RunScenarioAsync(adapter, dp, c, scenario, options.CallTimeout, watch, ct));
                }
                else
                {
                    var request = c.Request.DeepClone().AsObject();
                    var reply = await adapter.CallAsync(request, options.CallTimeout, ct);
                    results.Add(Graded(c, request, reply, watch));
                }
            }
        }
        finally
        {
            if (adapter is not null)
                await adapter.DisposeAsync();
            if (dp is not null)
                await dp.DisposeAsync();
        }
        return new SenderRunResult(options.Adapter, identity, results, started, time.GetUtcNow(), incomplete);
    }

    private static CaseResult Graded(SenderCase c, JsonObject request, AdapterReply reply, Stopwatch watch)
    {
        var exchange = ToExchange(1, c.Op, request, reply);
        if (reply.Body is null)
            return new CaseResult(c, Verdict.Error, reply.Error, [], [exchange], watch.ElapsedMilliseconds);
        var check = c.Grade(reply.Body);
        return new CaseResult(c, check.Passed ? Verdict.Pass : Verdict.Fail, check.Passed ? null : $"expected {check.Expected}, got {check.Actual}", [check], [exchange], watch.ElapsedMilliseconds);
    }

    private static async Task<CaseResult> RunScenarioAsync(AdapterProcess adapter, HostileDp dp, SenderCase c, LookupScenario scenario, TimeSpan timeout, Stopwatch watch, CancellationToken ct)
    {
        var checks = new List<CaseCheck>();
        var exchanges = new List<Exchange>();
        string? failure = null;
        for (var i = 0; i < scenario.Steps.Count; i++)
        {
            var step = scenario.Steps[i];
            dp.SetStep(scenario.Name, step);
            var request = c.Request.DeepClone().AsObject();
            request["dp"] = dp.ScenarioUrl(scenario.Name).ToString();
            request["ca"] = dp.CertificatePem;
            request["now"] = step.Now;
            var reply = await adapter.CallAsync(request, timeout, ct);
            var served = dp.TakeRequests();
            exchanges.Add(ToExchange(exchanges.Count + 1, $"lookup step {i + 1}", request, reply, served));
            if (reply.Body is null)
                return new CaseResult(c, Verdict.Error, $"step {i + 1}: {reply.Error}", checks, exchanges, watch.ElapsedMilliseconds);
            var check = Numbered(i, SenderCases.GradeLookupStep(step, reply.Body));
            checks.Add(check);
            if (!check.Passed)
                failure ??= $"step {i + 1} (now {step.Now}, {step.Behaviour}): expected {check.Expected}, got {check.Actual}";
        }
        return new CaseResult(c, failure is null ? Verdict.Pass : Verdict.Fail, failure, checks, exchanges, watch.ElapsedMilliseconds);
    }

    private static CaseCheck Numbered(int index, CaseCheck check) => check with { Expected = $"step {index + 1}: {check.Expected}" };

    private static Exchange ToExchange(int seq, string op, JsonObject request, AdapterReply reply, IReadOnlyList<string>? served = null)
    {
        static string Cap(string s) => s.Length > ExchangeCap ? s[..ExchangeCap] + "…" : s;
        var headers = served is null ? new Dictionary<string, string>() : served.Select((r, i) => (Key: $"dp-request-{i + 1}", Value: r)).ToDictionary(p => p.Key, p => p.Value);
        return new Exchange(seq, op, "adapter:stdin", new Dictionary<string, string>(), Cap(request.ToJsonString()), reply.Body is null ? null : 200,
            headers, reply.Body is null ? null : Cap(reply.Body.ToJsonString()), false, reply.Error, 0, []);
    }
}
