using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Enumeration;

/// <summary>R8 needs the anti-enumeration class (Privacy Pass, allowances), which profile 0.1 does not define yet.</summary>
public sealed class EnumerationTests(ConformanceFixture dp)
{
    [Fact, Requirement("DISC-R-08")]
    public void Dp_is_protected_against_enumeration()
    {
        _ = dp.Meta;
        Expect.NotVerifiable("profile 0.1 defines no rate-limit or token mechanism to probe; the anti-enumeration class " +
            "(Privacy Pass tokens, per-window allowance, 429 + Retry-After) is specified in a later profile version.");
    }
}
