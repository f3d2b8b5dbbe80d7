using System.CommandLine;
using System.Text.RegularExpressions;
using FluentAssertions;
using Mimi.Conformance.Cli;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Tests.Repository;

/// <summary>README.md, run.sh's help and the CLI's --help come from, or are checked against, one list: <see cref="Program.Commands"/>.</summary>
public sealed partial class CommandLineDocumentationTests
{
    private static readonly RootCommand Root = Program.Commands();

    private static string Readme => File.ReadAllText(Path.Combine(RepositoryLayout.Root, "README.md"));

    [GeneratedRegex(@"`(--[a-z][a-z0-9-]*)")]
    private static partial Regex Flag();

    /// <summary>The flags named in the first column of README's "### Options" table.</summary>
    private static SortedSet<string> ReadmeRunFlags()
    {
        var lines = Readme.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "### Options");
        start.Should().BeGreaterThanOrEqualTo(0, "README.md has an \"### Options\" section");
        var rows = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2);
        return new(rows.SelectMany(r => Flag().Matches(r.Split('|')[1]).Select(m => m.Groups[1].Value)), StringComparer.Ordinal);
    }

    private static Command Command(string name) => Root.Subcommands.Single(c => c.Name == name);

    [Fact]
    public void The_readme_options_table_lists_exactly_the_options_of_run()
    {
        var cli = new SortedSet<string>(Command("run").Options.Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal) && n != "--help"), StringComparer.Ordinal);

        ReadmeRunFlags().Should().BeEquivalentTo(cli, "README's options table and `run --help` must name the same flags");
    }

    [Fact]
    public void Every_command_is_in_the_readme_and_in_run_sh_help()
    {
        var runSh = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "run.sh"));
        var help = string.Join('\n', runSh.Split('\n').Skip(1).TakeWhile(l => l.StartsWith('#')));
        foreach (var command in Root.Subcommands.Select(c => c.Name))
        {
            Readme.Should().Contain($"./run.sh {command}", $"README.md shows how to call {command}");
            help.Should().MatchRegex($@"[\s|]{Regex.Escape(command)}[\s|]", $"run.sh's header (./run.sh --help) lists {command}");
        }
    }

    [Fact]
    public void Every_command_and_option_says_what_it_does()
    {
        var undocumented = Root.Subcommands.SelectMany(c => new[] { (Name: c.Name, c.Description) }
                .Concat(c.Options.Where(o => o.Name != "--help" && o.Name != "-h").Select(o => (Name: $"{c.Name} {o.Name}", o.Description)))
                .Concat(c.Subcommands.Select(s => (Name: $"{c.Name} {s.Name}", s.Description))))
            .Where(x => string.IsNullOrWhiteSpace(x.Description))
            .Select(x => x.Name);

        undocumented.Should().BeEmpty("--help shows each description");
    }
}
