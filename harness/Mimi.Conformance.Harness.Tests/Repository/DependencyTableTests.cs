using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using Mimi.Conformance.Harness.Requirements;

namespace Mimi.Conformance.Harness.Tests.Repository;

/// <summary>docs/DEPENDENCIES.md against the project files and run.sh: no package, framework or tool on one side only.</summary>
public sealed partial class DependencyTableTests
{
    private const string BuildProps = "Directory.Build.props";
    private static string Root => RepositoryLayout.Root;

    private static string Doc => File.ReadAllText(Path.Combine(Root, "docs", "DEPENDENCIES.md"));

    /// <summary>The rows of the first table under <paramref name="heading"/>, cells trimmed and without backticks.</summary>
    private static List<string[]> Table(string heading)
    {
        var lines = Doc.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == heading);
        start.Should().BeGreaterThanOrEqualTo(0, $"docs/DEPENDENCIES.md has a \"{heading}\" section");
        var rows = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Replace("`", "", StringComparison.Ordinal).Trim()).ToArray())
            .ToList();
        rows.Should().HaveCountGreaterThan(2, $"the \"{heading}\" table has rows");
        return rows.Skip(2).ToList(); // header and separator
    }

    private static SortedSet<string> Names(string cell) => new(cell.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0), StringComparer.Ordinal);

    private static string Show(IEnumerable<string> names) => string.Join(", ", names);

    /// <summary>Every project under harness/ and suite/, by its name without the Mimi.Conformance. prefix.</summary>
    private static IEnumerable<(string Name, XDocument Xml)> Projects() =>
        new[] { "harness", "suite" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(Root, d), "*.csproj", SearchOption.AllDirectories))
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Select(p => (Path.GetFileNameWithoutExtension(p).Replace("Mimi.Conformance.", "", StringComparison.Ordinal), XDocument.Load(p)));

    private static XDocument Props(string name) => XDocument.Load(Path.Combine(Root, name));

    /// <summary>Package → the projects (or Directory.Build.props) that reference it.</summary>
    private static Dictionary<string, SortedSet<string>> References(string element, Func<XDocument, IEnumerable<string>>? implicitOnes = null)
    {
        var users = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        void Add(string package, string user)
        {
            if (!users.TryGetValue(package, out var set))
                users[package] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(user);
        }
        foreach (var (name, xml) in Projects())
        {
            foreach (var r in xml.Descendants(element))
                Add((string)r.Attribute("Include")!, name);
            foreach (var p in implicitOnes?.Invoke(xml) ?? [])
                Add(p, name);
        }
        foreach (var r in Props(BuildProps).Descendants(element))
            Add((string)r.Attribute("Include")!, BuildProps);
        return users;
    }

    [Fact]
    public void The_package_table_lists_every_package_of_the_project_files_and_no_other()
    {
        var versions = Props("Directory.Packages.props").Descendants("PackageVersion")
            .ToDictionary(v => (string)v.Attribute("Include")!, v => (string)v.Attribute("Version")!, StringComparer.Ordinal);
        var users = References("PackageReference");
        var rows = Table("## NuGet packages").ToDictionary(r => r[0], StringComparer.Ordinal);

        rows.Keys.Except(versions.Keys).Should().BeEmpty("a row of docs/DEPENDENCIES.md names a package Directory.Packages.props does not pin");
        versions.Keys.Except(rows.Keys).Should().BeEmpty("every package of Directory.Packages.props has a row in docs/DEPENDENCIES.md");
        users.Keys.Except(versions.Keys).Should().BeEmpty("every PackageReference has a central version");
        versions.Keys.Except(users.Keys).Should().BeEmpty("no package is pinned that no project references");
        foreach (var (package, row) in rows)
        {
            row.Should().HaveCount(5, $"{package}: Package | Version | Used by | What for | Licence");
            row[1].Should().Be(versions.GetValueOrDefault(package), $"{package}'s version in docs/DEPENDENCIES.md");
            Show(Names(row[2])).Should().Be(Show(users.GetValueOrDefault(package) ?? []), $"{package}'s \"Used by\" in docs/DEPENDENCIES.md");
            row[3].Should().NotBeNullOrWhiteSpace($"{package} says what it is for");
            row[4].Should().MatchRegex("^[A-Za-z0-9.+-]+", $"{package} names its licence");
        }
    }

    [Fact]
    public void The_framework_table_lists_every_shared_framework()
    {
        // The web SDK brings ASP.NET Core without a FrameworkReference.
        var users = References("FrameworkReference", xml => (string?)xml.Root!.Attribute("Sdk") == "Microsoft.NET.Sdk.Web" ? ["Microsoft.AspNetCore.App"] : []);
        var rows = Table("## Shared frameworks").ToDictionary(r => r[0], StringComparer.Ordinal);

        Show(rows.Keys.Order(StringComparer.Ordinal)).Should().Be(Show(users.Keys.Order(StringComparer.Ordinal)));
        foreach (var (framework, row) in rows)
            Show(Names(row[1])).Should().Be(Show(users[framework]), $"{framework}'s \"Used by\" in docs/DEPENDENCIES.md");
    }

    [Fact]
    public void The_tool_table_lists_what_run_sh_installs_and_no_other()
    {
        var script = File.ReadAllText(Path.Combine(Root, "run.sh"));
        var debian = AptInstall().Matches(script).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        var rows = Table("## Tools that run.sh installs");

        debian.Should().NotBeEmpty();
        Show(rows.Where(r => r[1] == "Debian").Select(r => r[0]).Order(StringComparer.Ordinal)).Should().Be(Show(debian.Order(StringComparer.Ordinal)), "Debian packages run.sh installs");
        rows.Single(r => r[0] == "allure")[1..3].Should().Equal("npm", Variable(script, "ALLURE_VERSION"));
        rows.Single(r => r[0] == "dotnet-stryker")[2].Should().Be(Variable(script, "STRYKER_VERSION"));
        script.Split('\n').Where(l => l.Contains("npm install", StringComparison.Ordinal))
            .Should().OnlyContain(l => l.Contains("\"allure@$ALLURE_VERSION\"", StringComparison.Ordinal), "allure is the only npm package run.sh installs");
        script.Split('\n').Where(l => l.Contains("tool install", StringComparison.Ordinal))
            .Should().OnlyContain(l => l.Contains("dotnet-stryker", StringComparison.Ordinal), "dotnet-stryker is the only dotnet tool run.sh installs");
        rows.Select(r => r[0]).Should().OnlyContain(t => debian.Contains(t) || t == "allure" || t == "dotnet-stryker", "every row is something run.sh installs");
    }

    private static string Variable(string script, string name) =>
        Regex.Match(script, $"^{name}=(\\S+)$", RegexOptions.Multiline).Groups[1].Value is { Length: > 0 } v ? v : throw new InvalidOperationException($"run.sh sets no {name}");

    /// <summary>Calls of run.sh's apt_install (not its definition), with their package names.</summary>
    [GeneratedRegex(@"\bapt_install ((?:[a-z0-9][a-z0-9.+-]* ?)+)")]
    private static partial Regex AptInstall();
}
