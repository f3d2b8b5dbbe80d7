using Mimi.Conformance.Cli.Execution;
using Spectre.Console;

namespace Mimi.Conformance.Cli.Commands;

/// <summary>
/// Progress while the suite runs. On a terminal: a live Spectre.Console status line (count, requirement, test).
/// When stdout is not a terminal or CI=true: one plain line per finished test, led by its requirement id, so CI
/// logs show progress without control characters.
/// </summary>
internal static class ProgressDisplay
{
    public static bool PlainMode(bool outputRedirected, string? ci) =>
        outputRedirected || string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1";

    /// <summary>Runs <paramref name="work"/> with progress shown the right way for this console.</summary>
    public static async Task<T> RunAsync<T>(Func<IProgress<TestProgress>, Task<T>> work)
    {
        if (PlainMode(Console.IsOutputRedirected, Environment.GetEnvironmentVariable("CI")))
            return await work(new PlainProgress(Console.Out));
        T result = default!;
        await AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync("starting the suite…", async ctx =>
        {
            result = await work(new StatusProgress(ctx));
        });
        return result;
    }

    /// <summary>
    /// The plain line for one finished test: "[ 3/37] fail           DISC-R-01      Test name (row)   1 fail, 0 error". The
    /// total counts test cases as discovered; a theory whose rows are found only as it runs can push the count past it.
    /// </summary>
    public static string Line(TestProgress p)
    {
        var width = p.Total.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
        var done = p.Done.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width);
        return $"[{done}/{p.Total}] {p.Outcome,-14} {p.Requirement ?? "-",-14} {ShortName(p.Name)}   {p.Failed} fail, {p.Errors} error";
    }

    /// <summary>The method name in words, and a theory row's arguments (shortened), so rows of one theory tell apart.</summary>
    private static string ShortName(string name)
    {
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        var head = paren < 0 ? name : name[..paren];
        var dot = head.LastIndexOf('.');
        var method = (dot < 0 ? head : head[(dot + 1)..]).Replace('_', ' ');
        if (paren < 0)
            return method;
        var row = name[paren..];
        return $"{method} {(row.Length <= 48 ? row : row[..47] + "…)")}";
    }

    /// <summary>Writes each line synchronously on the reporting thread (Progress&lt;T&gt; would reorder them).</summary>
    internal sealed class PlainProgress(TextWriter output) : IProgress<TestProgress>
    {
        private readonly Lock _gate = new();

        public void Report(TestProgress value)
        {
            lock (_gate)
                output.WriteLine(Line(value));
        }
    }

    private sealed class StatusProgress(StatusContext ctx) : IProgress<TestProgress>
    {
        public void Report(TestProgress value) =>
            ctx.Status(Markup.Escape($"{value.Done}/{value.Total}  {value.Failed} fail, {value.Errors} error  {value.Requirement ?? "-"}  {ShortName(value.Name)}  ({value.Outcome})"));
    }
}
