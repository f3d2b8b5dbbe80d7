using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>The bundled reference DP, started in-process on 127.0.0.1:0 with its own data directory.</summary>
public sealed class EmbeddedDp : IAsyncDisposable
{
    private readonly RunningDp _dp;
    private readonly string _dataDir;

    private EmbeddedDp(RunningDp dp, string dataDir)
    {
        _dp = dp;
        _dataDir = dataDir;
    }

    public Uri Url => _dp.Url;

    public string CertificatePath => _dp.CertificatePath;

    /// <summary>Switches the running DP's faults (start-up faults keep the shape it started with).</summary>
    public void SwitchFaults(IReadOnlyCollection<string> faults) => _dp.SwitchFaults(faults);

    public static async Task<EmbeddedDp> StartAsync(IReadOnlyList<string> faults, CancellationToken ct, string dpId = ReferenceDpOptions.DefaultDpId, DutyRecorder? recorder = null)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"mimi-dp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDir);
        try
        {
            var dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions
            {
                DataDirectory = dataDir,
                DpId = dpId,
                Faults = faults.ToHashSet(),
                AntiEnumeration = true,
                DutyRecorder = recorder,
            }, ct);
            return new EmbeddedDp(dp, dataDir);
        }
        catch
        {
            // A DP that did not start leaves nothing behind.
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _dp.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; never fail a run over it.
        }
    }
}
