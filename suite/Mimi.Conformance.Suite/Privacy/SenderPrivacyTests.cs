using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Privacy;

/// <summary>R6 cannot be seen from outside in full; the black-box part arrives with the federation class.</summary>
public sealed class SenderPrivacyTests(ConformanceFixture dp)
{
    [Fact, Requirement("DISC-R-06")]
    public void Dp_cannot_learn_both_sender_and_recipient()
    {
        _ = dp.Meta;
        Expect.NotVerifiable("what a DP learns and keeps is not observable over the profile's interface; profile 0.1 defines no " +
            "sender-hidden (OHTTP) or CSI-hidden (PIR) mode to test. Needs an operator statement on logging of client IPs and accounts " +
            "next to looked-up CSIs; the forwarding and cookie checks come with the federation class.");
    }
}
