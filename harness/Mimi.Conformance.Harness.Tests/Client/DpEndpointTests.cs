using FluentAssertions;
using Mimi.Conformance.Harness.Configuration;

namespace Mimi.Conformance.Harness.Tests.Client;

/// <summary>The DP URL is parsed once, at the edge, into one canonical origin; everything it would silently ignore is refused.</summary>
public sealed class DpEndpointTests
{
    [Theory]
    [InlineData("https://127.0.0.1:8443", "https://127.0.0.1:8443/", "https://127.0.0.1:8443")]
    [InlineData("https://127.0.0.1:8443/", "https://127.0.0.1:8443/", "https://127.0.0.1:8443")]
    [InlineData("  HTTPS://DP.Example:443  ", "https://dp.example/", "https://dp.example")]
    [InlineData("http://127.0.0.1:9", "http://127.0.0.1:9/", "http://127.0.0.1:9")]
    [InlineData("https://[::1]:8443", "https://[::1]:8443/", "https://[::1]:8443")]
    public void A_url_becomes_one_canonical_origin(string text, string canonical, string authority)
    {
        var endpoint = DpEndpoint.Parse(text, "--dp");

        endpoint.ToString().Should().Be(canonical);
        endpoint.Authority.Should().Be(authority);
        DpEndpoint.Parse(canonical, "--dp").Should().Be(endpoint, "parsing the canonical form again changes nothing");
    }

    [Theory]
    [InlineData("", "is not an absolute URL")]
    [InlineData("127.0.0.1:8443", "is not an absolute URL")]
    [InlineData("/srv/dp", "is not an absolute URL")]
    [InlineData("ftp://127.0.0.1", "must be https://")]
    [InlineData("https://user:secret@127.0.0.1", "user info")]
    [InlineData("https://127.0.0.1/?x=1", "query or fragment")]
    [InlineData("https://127.0.0.1/#top", "query or fragment")]
    [InlineData("https://127.0.0.1/mimi/", "is an origin")]
    public void Anything_else_is_one_configuration_error_naming_its_source(string text, string why)
    {
        var act = () => DpEndpoint.Parse(text, "MIMI_DP_URL");

        act.Should().Throw<ConfigurationException>().Which.Message.Should().StartWith("MIMI_DP_URL: ").And.Contain(why);
    }

    [Fact]
    public void Paths_resolve_on_the_origin_and_absolute_urls_stay_as_given()
    {
        var endpoint = DpEndpoint.Parse("https://127.0.0.1:8443", "--dp");

        endpoint.Resolve("/v1/lookup").ToString().Should().Be("https://127.0.0.1:8443/v1/lookup");
        endpoint.Resolve("v1/lookup").ToString().Should().Be("https://127.0.0.1:8443/v1/lookup");
        endpoint.Resolve("https://issuer.example/token").ToString().Should().Be("https://issuer.example/token");
    }

    [Fact]
    public void The_suite_process_gets_back_exactly_the_endpoint_the_cli_parsed()
    {
        var options = new ConformanceOptions { DpUrl = DpEndpoint.Parse("https://127.0.0.1:8443", "--dp") }.Validated();

        var env = options.ToEnvironment();
        var again = ConformanceOptions.FromEnvironment(name => env.GetValueOrDefault(name));

        again.DpUrl.Should().Be(options.DpUrl);
        env[ConformanceOptions.DpUrlVariable].Should().Be("https://127.0.0.1:8443/");
    }
}
