namespace Mimi.Conformance.ReferenceDp.Faults;

/// <summary>
/// Something the reference DP does because the profile asks it to: a check it makes or a behaviour it keeps. Each
/// service declares its duties next to the code that performs them; a fault is the set of duties a DP skips.
/// </summary>
public readonly record struct Duty(string Name)
{
    public override string ToString() => Name;
}
