using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Results;
using System.Diagnostics.CodeAnalysis;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// How a conformance test states its outcome. A failed expectation is a finding against the DP (the report turns
/// it into fail for MUST and warn for SHOULD); a skip carries its kind (<see cref="SkipKind"/>) and its reason;
/// a <see cref="HarnessErrorException"/> is an error verdict.
/// </summary>
internal static class Expect
{
    /// <summary>Records the check and fails the test when it does not hold.</summary>
    public static void That(bool holds, string name, string expected, string actual)
    {
        Evidence.Current.Add(new Check(name, holds, expected, actual));
        if (!holds)
            throw new ConformanceFailure($"{name}: expected {expected}; got {actual}");
    }

    /// <summary>Records a check that holds, as evidence that something was looked at.</summary>
    public static void Observed(string name, string expected, string actual) => That(true, name, expected, actual);

    public static void Status(DpResponse response, int expected, string name) =>
        That(response.Status == expected, name, $"HTTP {expected}", response.Describe());

    /// <summary>A refusal: a 4xx (of <paramref name="statuses"/> when given). Its problem+json shape is PROF-ERR-01's subject, not the caller's.</summary>
    public static void Refused(DpResponse response, string name, params int[] statuses)
    {
        var ok = response.Status is >= 400 and < 500 && (statuses.Length == 0 || statuses.Contains(response.Status.Value));
        That(ok, name, statuses.Length == 0 ? "a 4xx refusal" : $"HTTP {string.Join("/", statuses)}", response.Describe() + ProblemType(response));
    }

    /// <summary>The exact refusal a rule names: this status and this problem type URI (PROFILE.md §2).</summary>
    public static void Refused(DpResponse response, string name, int status, string problemType) =>
        That(response.Status == status && response.ProblemType == problemType, name, $"HTTP {status} {problemType}", response.Describe() + ProblemType(response));

    /// <summary>A 4xx application/problem+json whose type is one of PROFILE.md §2's.</summary>
    public static void Problem(DpResponse response, string name)
    {
        That(response.Status is >= 400 and < 500, $"{name}: status", "a 4xx (never a 5xx for bad input)", response.Describe());
        That(response.IsProblem, $"{name}: media type", "application/problem+json", response.ContentType ?? "(none)");
        var type = response.Json?["type"]?.ToString() ?? "";
        That(type.StartsWith("urn:mimi-dp-profile:problem:", StringComparison.Ordinal), $"{name}: type", "a type from PROFILE.md §2", type.Length == 0 ? "(none)" : type);
    }

    public static string ProblemType(DpResponse response) =>
        response.Json?["type"]?.ToString() is { } t ? $" type {t}" : "";

    /// <summary>The DP answered in a way that makes the test's subject unobservable.</summary>
    public static DpResponse Reachable(DpResponse response, string what)
    {
        if (response.TransportError is not null)
            throw new HarnessErrorException($"{what}: {response.TransportError}");
        return response;
    }

    [DoesNotReturn]
    public static void NotVerifiable(string reason) => Assert.Skip(SuiteOutcomes.Skip(SkipKind.NotVerifiable, reason));

    [DoesNotReturn]
    public static void NotApplicable(string reason) => Assert.Skip(SuiteOutcomes.Skip(SkipKind.NotApplicable, reason));
}
