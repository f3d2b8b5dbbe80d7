using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Harness.Lifecycle;

/// <summary>
/// A named way a timeline's disconnect notice or peer invalidation departs from a well-formed one, with the rule it
/// tests and the answer PROFILE.md §12.3 / §12.5 gives it. The generator, the model and the suite's runner read this
/// one table, so a defect means the same request everywhere.
/// </summary>
public sealed record RequestDefect(string Name, string Action, string Rule, string Description, TimelineExpect Expect)
{
    public const string WithMappingId = "with_mapping_id";
    public const string ReasonUser = "reason_user";
    public const string SinceAfterIat = "since_after_iat";
    public const string NotCose = "not_cose";
    public const string WrongToDp = "wrong_to_dp";
    public const string IatAhead = "iat_ahead";
    public const string EvidenceUntrustedCsip = "evidence_untrusted_csip";
    public const string EvidenceForeignRecipient = "evidence_foreign_recipient";
    public const string EvidenceUntrustedDpSignature = "evidence_untrusted_dp_signature";
    public const string EvidenceWithoutDpSignature = "evidence_without_dp_signature";
    public const string EvidenceNotNewHolder = "evidence_not_new_holder";
    public const string EvidenceOtherCsi = "evidence_other_csi";
    public const string EvidenceOtherDp = "evidence_other_dp";
    public const string EvidenceOtherAssignment = "evidence_other_assignment";

    private static TimelineExpect Refused(int status, string problem) => new(TimelineExpect.Refused, [status], [problem]);

    public static IReadOnlyList<RequestDefect> All { get; } =
    [
        new(WithMappingId, TimelineStep.Disconnect, "PROF-LC-11", "the notice also names a mapping_id", Refused(400, Problems.InvalidMapping)),
        new(ReasonUser, TimelineStep.Disconnect, "PROF-LC-11", "the notice gives reason \"user\"", Refused(400, Problems.InvalidMapping)),
        new(SinceAfterIat, TimelineStep.Disconnect, "PROF-LC-11", "disconnected_since is after the notice's iat", Refused(400, Problems.InvalidMapping)),
        new(NotCose, TimelineStep.PeerInvalidate, "PROF-LC-17", "the invalidation is its payload's CBOR, not a COSE_Sign1", Refused(400, Problems.InvalidMapping)),
        new(WrongToDp, TimelineStep.PeerInvalidate, "PROF-LC-19", "to_dp names another DP", Refused(422, Problems.WrongDp)),
        new(IatAhead, TimelineStep.PeerInvalidate, "PROF-LC-20", "iat is 600 s ahead of the DP's clock", Refused(422, Problems.Expired)),
        new(EvidenceUntrustedCsip, TimelineStep.PeerInvalidate, "PROF-LC-22", "the evidence's credential is signed by a CSIP the DP does not trust", Refused(422, Problems.PopInvalid)),
        new(EvidenceForeignRecipient, TimelineStep.PeerInvalidate, "PROF-LC-22", "the evidence's recipient signature is by a key its credential does not bind", Refused(422, Problems.InvalidSignature)),
        new(EvidenceUntrustedDpSignature, TimelineStep.PeerInvalidate, "PROF-LC-23", "the evidence carries a dp signature by a key not trusted for from_dp", Refused(422, Problems.InvalidSignature)),
        new(EvidenceWithoutDpSignature, TimelineStep.PeerInvalidate, "PROF-LC-23", "the evidence carries no dp signature (the invalidation's own speaks for from_dp)", new TimelineExpect(TimelineExpect.Accepted)),
        new(EvidenceNotNewHolder, TimelineStep.PeerInvalidate, "PROF-LC-24", "the evidence has new_holder false", Refused(400, Problems.InvalidMapping)),
        new(EvidenceOtherCsi, TimelineStep.PeerInvalidate, "PROF-LC-24", "the evidence is for another CSI", Refused(400, Problems.InvalidMapping)),
        new(EvidenceOtherDp, TimelineStep.PeerInvalidate, "PROF-LC-24", "the evidence names another dp than from_dp", Refused(400, Problems.InvalidMapping)),
        new(EvidenceOtherAssignment, TimelineStep.PeerInvalidate, "PROF-LC-24", "the invalidation's assigned_at is one second before the evidence credential's", Refused(400, Problems.InvalidMapping)),
    ];

    public static RequestDefect Get(string name) =>
        All.FirstOrDefault(d => d.Name == name) ?? throw new InvalidOperationException($"unknown request defect \"{name}\"");

    /// <summary>The answer when the defect alone decides it; null when the request is then processed as usual.</summary>
    public TimelineOutcome? Refusal => Expect.Result == TimelineExpect.Refused ? new(TimelineExpect.Refused, Expect.Status![0], Expect.Problems![0], []) : null;
}
