using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Vectors;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Verification;

/// <summary>
/// PROFILE.md §4.1–§4.2 at publish (§6.2): each mapping has one defect of the catalogue the sender vectors use
/// (<see cref="MappingDefects"/>), is otherwise valid, and gets exactly the problem §6.2 names for the check it fails.
/// </summary>
public sealed class MappingEncodingTests(ConformanceFixture dp)
{
    private readonly DpOperations _ops = new(dp);

    public static TheoryData<string> NotDeterministic => Names("PROF-MAP-01");

    public static TheoryData<string> PayloadKeys => Names("PROF-MAP-02");

    public static TheoryData<string> Headers => Names("PROF-MAP-03");

    public static TheoryData<string> Algorithms => [.. MappingDefects.WrongAlgorithm.Select(d => d.Name)];

    public static TheoryData<string> IgnoredLabels => [.. MappingDefects.Ignorable.Select(d => d.Name)];

    public static TheoryData<string> Credentials => [.. MappingDefects.Credential.Select(d => d.Name)];

    private static TheoryData<string> Names(string rule) => [.. MappingDefects.Malformed.Where(d => d.Rule == rule).Select(d => d.Name)];

    private static MappingDefect Find(IEnumerable<MappingDefect> list, string name) => list.Single(d => d.Name == name);

    private MappingBuilder NewMapping(out string csi)
    {
        dp.RequirePublishing();
        csi = _ops.Parties.NewE164();
        return _ops.Mapping(csi, _ops.Parties.NewRecipientKey(), ["default"]);
    }

    private Task Refused(MappingDefect defect, int status, string problem)
    {
        var builder = NewMapping(out var csi);
        return _ops.PublishRefusedAsync(defect.Apply(builder.Draft()).Encode(), csi, $"a mapping with {defect.Name} ({defect.Check})", status, problem);
    }

    [Theory, Requirement("DISC-R-04")]
    [Requirement("PROF-MAP-01")]
    [Requirement("PROF-PUB-04")]
    [MemberData(nameof(NotDeterministic))]
    public Task A_mapping_not_deterministically_encoded_gets_400_invalid_mapping(string defect) =>
        Refused(Find(MappingDefects.Malformed, defect), 400, Problems.InvalidMapping);

    [Theory, Requirement("DISC-R-04")]
    [Requirement("PROF-MAP-02")]
    [Requirement("PROF-PUB-04")]
    [MemberData(nameof(PayloadKeys))]
    public Task A_payload_without_exactly_the_listed_keys_gets_400_invalid_mapping(string defect) =>
        Refused(Find(MappingDefects.Malformed, defect), 400, Problems.InvalidMapping);

    [Theory, Requirement("DISC-R-04")]
    [Requirement("PROF-MAP-03")]
    [Requirement("PROF-PUB-04")]
    [MemberData(nameof(Headers))]
    public Task A_crit_or_unprotected_header_gets_400_invalid_mapping(string defect) =>
        Refused(Find(MappingDefects.Malformed, defect), 400, Problems.InvalidMapping);

    [Theory, Requirement("DISC-R-04")]
    [Requirement("PROF-MAP-05")]
    [Requirement("PROF-PUB-08")]
    [MemberData(nameof(Algorithms))]
    public Task A_recipient_signature_whose_alg_is_not_EdDSA_gets_422_invalid_signature(string defect) =>
        Refused(Find(MappingDefects.WrongAlgorithm, defect), 422, Problems.InvalidSignature);

    [Theory, Requirement("DISC-R-04")]
    [Requirement("PROF-MAP-04")]
    [MemberData(nameof(IgnoredLabels))]
    public async Task Header_labels_the_profile_gives_no_meaning_are_ignored(string defect)
    {
        var builder = NewMapping(out var csi);
        var response = Expect.Reachable(await _ops.PublishAsync(Find(MappingDefects.Ignorable, defect).Apply(builder.Draft()).Encode()), "publish");
        Expect.That(response.Status == 201, "publish-accepted", $"HTTP 201 for a valid mapping with {defect}", response.Describe() + Expect.ProblemType(response));
        var lookup = await _ops.LookupAsync(csi);
        Expect.That(lookup.Mappings.Count == 1, "served", "the mapping is served", $"{lookup.Mappings.Count} mapping(s); {lookup.FormatProblem}");
    }

    [Theory, Requirement("DISC-R-01")]
    [Requirement("PROF-CRED-01")]
    [Requirement("PROF-PUB-04")]
    [MemberData(nameof(Credentials))]
    public Task A_credential_outside_its_encoding_rules_gets_400_invalid_mapping(string defect)
    {
        var builder = NewMapping(out var csi) with { CredentialDefect = MappingDefects.Credential.Single(d => d.Name == defect) };
        return _ops.PublishRefusedAsync(builder.Build().Cose, csi, $"a credential with {defect} (pop-format)", 400, Problems.InvalidMapping);
    }
}
