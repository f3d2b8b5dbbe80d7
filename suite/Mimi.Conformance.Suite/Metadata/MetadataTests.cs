using Mimi.Conformance.Suite.Infrastructure;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Suite.Metadata;

public sealed class MetadataTests(ConformanceFixture dp)
{
    [Fact, Requirement("PROF-META-01")]
    [Requirement("PROF-META-03")]
    public async Task Metadata_document_declares_what_the_profile_requires()
    {
        foreach (var setup in dp.SetupExchanges)
            Evidence.Current.Record(setup);
        var client = dp.MetadataClient ?? dp.Client;
        var response = Expect.Reachable(await client.GetAsync(ProfileConstants.MetadataPath), $"metadata {ProfileConstants.MetadataPath}");
        Expect.Status(response, 200, "metadata-status");
        Expect.That(response.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true,
            "metadata-content-type", "application/json", response.ContentType ?? "(none)");
        Expect.That(response.Json is not null, "metadata-json", "a JSON object",
            response.BodyDefect ?? (response.Text.Length > 200 ? response.Text[..200] : response.Text));
        var problems = dp.Meta.Problems;
        Expect.That(problems.Count == 0, "metadata-fields", "profile, dp_id, endpoints, signing_keys, conformance_classes as in PROFILE.md §6.1",
            problems.Count == 0 ? "all present" : string.Join("; ", problems));
    }
}
