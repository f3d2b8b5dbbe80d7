using System.Text.RegularExpressions;
using FluentAssertions;
using Mimi.Conformance.Cli;
using Mimi.Conformance.Harness.Requirements;
using Mimi.Conformance.Reporting;

namespace Mimi.Conformance.Harness.Tests.Repository;

/// <summary>
/// action.yml, the composite GitHub Action that certifies a DP, cannot run here: its structure is read as the YAML it
/// uses (block mappings by indentation, block scalars skipped), and the flags it passes are checked against <see cref="Program.Commands"/>.
/// </summary>
public sealed partial class ActionDefinitionTests
{
    private static readonly string[] Lines = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "action.yml")).Split('\n');

    [GeneratedRegex(@"^(?<indent> *)(?<dash>- )?(?<key>[A-Za-z][A-Za-z0-9_-]*):(?: (?<value>.*))?$")]
    private static partial Regex Entry();

    [GeneratedRegex(@"\$\{\{ *inputs\.([a-z0-9-]+) *\}\}")]
    private static partial Regex InputUse();

    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9-]*)")]
    private static partial Regex Flag();

    [GeneratedRegex(@"\bargs\+?=\(")]
    private static partial Regex ArgumentArray();

    /// <summary>Every key with its path of parent keys ("runs/using"); lines of a block scalar (key: |) are its value, not keys.</summary>
    private static List<(string Path, string Value)> Entries()
    {
        var entries = new List<(string Path, string Value)>();
        var parents = new List<(int Indent, string Key)>();
        var scalarIndent = -1;
        foreach (var line in Lines.Select(l => l.TrimEnd('\r')))
        {
            var indent = line.Length - line.TrimStart(' ').Length;
            if (line.Trim().Length == 0 || (scalarIndent >= 0 && indent > scalarIndent))
                continue;
            scalarIndent = -1;
            var match = Entry().Match(line);
            match.Success.Should().BeTrue($"every line of action.yml outside a block scalar is a key: value entry, not \"{line}\"");
            var keyIndent = indent + (match.Groups["dash"].Success ? 2 : 0);
            parents.RemoveAll(p => p.Indent >= (match.Groups["dash"].Success ? indent : keyIndent));
            var key = match.Groups["key"].Value;
            var value = match.Groups["value"].Value.Trim();
            entries.Add((string.Join('/', parents.Select(p => p.Key).Append(key)), value));
            parents.Add((keyIndent, key));
            if (value is "|" or ">")
                scalarIndent = keyIndent;
        }
        return entries;
    }

    private static string Value(string path) => Entries().Single(e => e.Path == path).Value;

    private static SortedSet<string> Declared() => new(Entries().Where(e => e.Path.Count(c => c == '/') == 1 && e.Path.StartsWith("inputs/", StringComparison.Ordinal)).Select(e => e.Path["inputs/".Length..]), StringComparer.Ordinal);

    [Fact]
    public void It_is_a_composite_action_with_a_name_a_description_and_bash_steps()
    {
        Value("name").Should().NotBeEmpty();
        Value("description").Should().NotBeEmpty();
        Value("runs/using").Should().Be("composite");
        Entries().Where(e => e.Path == "runs/steps/shell").Select(e => e.Value).Should().NotBeEmpty().And.OnlyContain(v => v == "bash");
        Declared().Should().Contain(new[] { "dp-url", "pin", "ca", "classes", "fail-on", "keys" });
        Value("inputs/dp-url/required").Should().Be("true");
    }

    [Fact]
    public void Every_input_is_described_and_used_and_only_declared_inputs_are_used()
    {
        var used = new SortedSet<string>(Lines.SelectMany(l => InputUse().Matches(l).Select(m => m.Groups[1].Value)), StringComparer.Ordinal);

        used.Should().BeEquivalentTo(Declared(), "each input reaches the script, and the script reads no undeclared input");
        foreach (var input in Declared())
            Value($"inputs/{input}/description").Should().NotBeEmpty($"input {input} says what it is for");
    }

    [Fact]
    public void The_script_certifies_with_run_and_passes_only_flags_that_run_has()
    {
        var run = Program.Commands().Subcommands.Single(c => c.Name == "run").Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        // The certification's arguments are the bash array args; the tool install has its own array.
        var argumentLines = Lines.Where(l => ArgumentArray().IsMatch(l)).ToList();
        var flags = argumentLines.SelectMany(l => Flag().Matches(l).Select(m => m.Groups[1].Value)).ToList();

        argumentLines.Should().Contain(l => l.Contains("args=(run --dp ", StringComparison.Ordinal), "the action certifies with `mimi-conformance run --dp`");
        flags.Should().Contain(new[] { "--dp", "--pin", "--ca", "--class", "--fail-on", "--keys" });
        flags.Where(f => !run.Contains(f)).Should().BeEmpty("every flag the action passes is an option of `mimi-conformance run`");
    }

    [Fact]
    public void The_run_summary_goes_to_the_step_summary_and_the_exit_code_is_kept()
    {
        var script = string.Join('\n', Lines);

        script.Should().Contain($"/latest/{SummaryMarkdownWriter.FileName}\" >>\"$GITHUB_STEP_SUMMARY\"");
        script.Should().Contain("exit $status", "the step fails exactly when the run does (exit 1 non-compliant, 2 error, 3 incomplete)");
    }
}
