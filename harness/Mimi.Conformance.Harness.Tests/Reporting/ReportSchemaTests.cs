using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Reporting;
using NJsonSchema;
using Xunit;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class ReportSchemaTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sample_report_validates_against_the_published_schema(bool complete)
    {
        var schema = await JsonSchema.FromFileAsync(RepoPaths.ReportSchema, TestContext.Current.CancellationToken);

        var errors = schema.Validate(ReportJson.Serialize(SampleReports.Create(complete)));

        errors.Select(e => e.ToString()).Should().BeEmpty();
    }

    [Fact]
    public async Task Compliant_report_validates_too()
    {
        var schema = await JsonSchema.FromFileAsync(RepoPaths.ReportSchema, TestContext.Current.CancellationToken);

        schema.Validate(ReportJson.Serialize(SampleReports.Compliant())).Should().BeEmpty();
    }

    [Theory]
    [InlineData("schema", "\"report.schema.json\"")]
    [InlineData("summary.verdict", "\"passed\"")]
    [InlineData("summary.exit_code", "4")]
    [InlineData("requirements.0.verdict", "\"ok\"")]
    [InlineData("requirements.1.tests.0.verdict", "\"untested\"")]
    [InlineData("requirements.0.level", "\"MUSTN'T\"")]
    [InlineData("run.started_at", "\"yesterday\"")]
    [InlineData("run.completeness.planned", "-1")]
    [InlineData("summary.requirements.passed", "3")]
    [InlineData("requirements.0.extra", "1")]
    public async Task Schema_rejects_broken_documents(string path, string value)
    {
        var schema = await JsonSchema.FromFileAsync(RepoPaths.ReportSchema, TestContext.Current.CancellationToken);
        var root = JsonNode.Parse(ReportJson.Serialize(SampleReports.Create()))!;

        Set(root, path, JsonNode.Parse(value));

        schema.Validate(root.ToJsonString()).Should().NotBeEmpty();
    }

    [Theory]
    [InlineData("summary.verdict")]
    [InlineData("run.completeness")]
    [InlineData("requirements.0.tests.0.exchanges.0.status")]
    public async Task Schema_requires_the_ci_contract_fields(string path)
    {
        var schema = await JsonSchema.FromFileAsync(RepoPaths.ReportSchema, TestContext.Current.CancellationToken);
        var root = JsonNode.Parse(ReportJson.Serialize(SampleReports.Create()))!;

        var parts = path.Split('.');
        var parent = Navigate(root, parts[..^1]);
        parent.AsObject().Remove(parts[^1]).Should().BeTrue();

        schema.Validate(root.ToJsonString()).Should().NotBeEmpty();
    }

    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = Navigate(root, parts[..^1]);
        parent.AsObject()[parts[^1]] = value;
    }

    private static JsonNode Navigate(JsonNode node, IEnumerable<string> parts)
    {
        foreach (var part in parts)
        {
            node = int.TryParse(part, out var index) ? node.AsArray()[index]! : node.AsObject()[part]!;
        }

        return node;
    }
}
