using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Bench;

namespace Mimi.Conformance.Harness.Tests.Bench;

/// <summary>
/// The bench's pieces at tiny scale (no suite run, sub-second loads, 200 vs 2,000 seeded rows): bench.json has
/// every figure with its fields, and a ratio wherever a value and a baseline were measured. Never asserts a time.
/// </summary>
public sealed class BenchSmokeTests
{
    private static readonly string[] Fields = ["title", "value", "unit", "baseline", "ratio", "target", "met", "details"];

    [Fact]
    public async Task Bench_at_tiny_scale_writes_every_figure_with_value_baseline_ratio_target_and_met()
    {
        var dir = Directory.CreateTempSubdirectory("mimi-bench-smoke-").FullName;
        try
        {
            var options = new BenchOptions
            {
                OutputDirectory = dir,
                Quick = true,
                RunSuite = false,
                PublishedMappings = 3,
                SmallScale = 200,
                LargeScale = 2_000,
                Connections = 2,
                LoadDuration = TimeSpan.FromSeconds(1),
                CryptoDuration = TimeSpan.FromMilliseconds(200),
                LoadGeneratorInProcess = true,
            };
            using var output = new StringWriter();
            await BenchRunner.RunAsync(options, TimeProvider.System, output, TextWriter.Null, TestContext.Current.CancellationToken);

            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, BenchRunner.FileName), TestContext.Current.CancellationToken))!.AsObject();
            json["schema"]!.GetValue<string>().Should().Be(BenchRunner.Schema);
            var figures = json["figures"]!.AsObject();
            figures.Select(f => f.Key).Should().Contain(["suite_wall_time", "verify_recipient_only", "verify_joint", "blind_rsa_tokens", "dp_lookup_throughput", "load_generator", "scale_lookup_p99", "scale_db_size"]);
            foreach (var (key, node) in figures)
            {
                var figure = node!.AsObject();
                figure.Select(p => p.Key).Should().Contain(Fields, key);
                var value = figure["value"]?.GetValue<double>();
                var baseline = figure["baseline"]?.GetValue<double>();
                if (value is { } v && baseline is { } b && b != 0)
                    figure["ratio"]!.GetValue<double>().Should().BeApproximately(v / b, Math.Abs(v / b) * 1e-3 + 1e-4, key);
                if (figure["met"]?.GetValue<bool>() != true)
                    figure["explanation"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace(key);
            }
            figures["blind_rsa_tokens"]!["met"].Should().BeNull();
            figures["blind_rsa_tokens"]!["value"]!.GetValue<double>().Should().BePositive("blind RSA round trips are measured");
            figures["blind_rsa_tokens"]!["ratio"].Should().NotBeNull();
            figures["verify_joint"]!["details"]!["signatures_per_mapping"]!.GetValue<int>().Should().Be(5);
            figures["verify_recipient_only"]!["details"]!["signatures_per_mapping"]!.GetValue<int>().Should().Be(2);
            figures["verify_joint"]!["ratio"].Should().NotBeNull();
            figures["scale_db_size"]!["details"]!["rows_in_store"]!.GetValue<int>().Should().Be(3 + 200 + 2_000);
            output.ToString().Should().Contain("verify_joint").And.Contain("blind_rsa_tokens");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
