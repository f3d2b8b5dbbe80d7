namespace Mimi.Conformance.Bench;

/// <summary>Sizes and durations of one bench run. Full: about 3-4 minutes on 2 cores; --quick: about a minute and a half.</summary>
internal sealed record BenchOptions
{
    public required string OutputDirectory { get; init; }

    public bool Quick { get; init; }

    public bool RunSuite { get; init; } = true;

    /// <summary>Faults of the old one-certification-per-fault self-test in figure 8 (the targeted one gets three times as many); 0: not measured.</summary>
    public int SelfTestFaults { get; init; } = 5;

    public int PublishedMappings { get; init; } = 50;

    public int SmallScale { get; init; } = 1_000;

    public int LargeScale { get; init; } = 1_000_000;

    public int Connections { get; init; } = 16;

    public TimeSpan LoadDuration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan CryptoDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Tests run the load generator in-process; the bench runs it as its own process, as wrk is.</summary>
    public bool LoadGeneratorInProcess { get; init; }

    public static BenchOptions Full(string outputDirectory) => new() { OutputDirectory = outputDirectory };

    public static BenchOptions QuickRun(string outputDirectory) => new()
    {
        OutputDirectory = outputDirectory,
        Quick = true,
        PublishedMappings = 20,
        LargeScale = 100_000,
        LoadDuration = TimeSpan.FromSeconds(3),
        SelfTestFaults = 3,
        CryptoDuration = TimeSpan.FromSeconds(1),
    };
}
