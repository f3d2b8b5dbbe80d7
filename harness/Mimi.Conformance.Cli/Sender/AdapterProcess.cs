using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Mimi.Conformance.Cli.Sender;

/// <summary>An adapter under test: a name for the report and the shell command that starts it.</summary>
internal sealed record AdapterCommand(string Name, string CommandLine);

/// <summary>What the adapter said about itself in the handshake (vectors/SENDER-ADAPTER.md §3).</summary>
internal sealed record AdapterIdentity(string Name, string Language, string Version, IReadOnlySet<string> Ops);

/// <summary>One answer: the reply object, or why there is none (exit, timeout, garbage, an adapter-reported error).</summary>
internal sealed record AdapterReply(JsonObject? Body, string? Error)
{
    public static AdapterReply Failed(string reason) => new(null, reason);
}

/// <summary>
/// One running adapter process: line-delimited JSON over its stdin and stdout (vectors/SENDER-ADAPTER.md §2). Every
/// call is time-boxed; an exit or a line that is not the awaited answer is seen at once, without waiting for the
/// timeout. After any failed call the process is <see cref="Broken"/> and the caller starts a fresh one.
/// </summary>
internal sealed class AdapterProcess : IAsyncDisposable
{
    public const string Protocol = "mimi-sender-adapter/1";
    private const int MaxLineChars = 4 * 1024 * 1024;
    private const int StderrLines = 20;

    private readonly Process _process;
    private readonly Channel<string?> _lines = Channel.CreateUnbounded<string?>();
    private readonly Queue<string> _stderr = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private long _nextId;

    private AdapterProcess(Process process)
    {
        _process = process;
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    public bool Broken { get; private set; }

    public AdapterIdentity? Identity { get; private set; }

    /// <summary>The adapter's last lines on stderr, for the reason of an error.</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderr)
                return string.Join(" | ", _stderr);
        }
    }

    /// <summary>Starts the command under /bin/sh and performs the handshake; a failed handshake is an error reply, never an exception.</summary>
    public static async Task<(AdapterProcess? Process, string? Error)> StartAsync(AdapterCommand command, string profile, TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec " + command.CommandLine);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, $"cannot start the adapter: {e.Message}");
        }
        var adapter = new AdapterProcess(process);
        var reply = await adapter.CallAsync(new JsonObject { ["op"] = "handshake", ["protocol"] = Protocol, ["profile"] = profile }, timeout, ct);
        string? error = reply.Error;
        if (error is null)
        {
            var body = reply.Body!;
            var protocol = Text(body["protocol"]);
            var theirProfile = Text(body["profile"]);
            var about = body["adapter"] as JsonObject;
            if (protocol != Protocol)
                error = $"the adapter speaks protocol \"{protocol}\", the harness {Protocol}";
            else if (theirProfile != profile)
                error = $"the adapter implements profile \"{theirProfile}\", the harness {profile}";
            else if (about is null || Text(about["name"]) is not { Length: > 0 } name || Text(about["language"]) is not { } language || Text(about["version"]) is not { } version)
                error = "the handshake answer lacks adapter.name, adapter.language or adapter.version";
            else
                adapter.Identity = new AdapterIdentity(name, language, version,
                    (body["ops"] as JsonArray ?? []).Select(o => Text(o)).OfType<string>().ToHashSet(StringComparer.Ordinal));
        }
        if (error is null)
            return (adapter, null);
        await adapter.DisposeAsync();
        return (null, $"handshake failed: {error}");
    }

    /// <summary>Sends one request (an <c>id</c> is added) and awaits its one answer line.</summary>
    public async Task<AdapterReply> CallAsync(JsonObject request, TimeSpan timeout, CancellationToken ct)
    {
        if (Broken)
            return AdapterReply.Failed("the adapter process is broken");
        var id = ++_nextId;
        request["id"] = id;
        var reply = await ExchangeAsync(request.ToJsonString(), id, timeout, ct);
        if (reply.Error is not null && reply.Body is null)
            Broken = true;
        return reply;
    }

    private async Task<AdapterReply> ExchangeAsync(string line, long id, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await _process.StandardInput.WriteAsync(line + "\n");
            await _process.StandardInput.FlushAsync(ct);
        }
        catch (IOException)
        {
            return AdapterReply.Failed(await ExitedAsync());
        }
        catch (InvalidOperationException)
        {
            return AdapterReply.Failed(await ExitedAsync());
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        string? answer;
        try
        {
            answer = await _lines.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Kill();
            return AdapterReply.Failed($"no answer within {timeout.TotalMilliseconds:0} ms (the adapter was stopped)");
        }
        catch (ChannelClosedException)
        {
            answer = null;
        }
        if (answer is null)
            return AdapterReply.Failed(await ExitedAsync());
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(answer) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
            return AdapterReply.Failed($"garbage on stdout (not a JSON object): {Excerpt(answer)}");
        if (body["id"] is not JsonValue v || !v.TryGetValue<long>(out var answered) || answered != id)
            return AdapterReply.Failed($"the answer does not carry id {id}: {Excerpt(answer)}");
        if (body["error"] is { } error)
            return new AdapterReply(null, $"the adapter reported an error: {Excerpt(error.ToJsonString())}") { };
        return new AdapterReply(body, null);
    }

    private async Task<string> ExitedAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return $"the adapter closed its stdout without answering{Tail()}";
        }
        await Task.WhenAny(_stderrPump, Task.Delay(TimeSpan.FromSeconds(1)));
        return $"the adapter exited with code {_process.ExitCode} without answering{Tail()}";
    }

    private string Tail() => StderrTail is { Length: > 0 } t ? $" (stderr: {Excerpt(t)})" : "";

    private async Task PumpStdoutAsync()
    {
        try
        {
            var reader = _process.StandardOutput;
            var sb = new StringBuilder();
            var buffer = new char[8192];
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                for (var i = 0; i < n; i++)
                {
                    if (buffer[i] == '\n')
                    {
                        await _lines.Writer.WriteAsync(sb.ToString().TrimEnd('\r'));
                        sb.Clear();
                    }
                    else if (sb.Length < MaxLineChars)
                    {
                        sb.Append(buffer[i]);
                    }
                }
            }
            if (sb.Length > 0)
                await _lines.Writer.WriteAsync(sb.ToString());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away; EOF below says so.
        }
        _lines.Writer.TryComplete();
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            string? line;
            while ((line = await _process.StandardError.ReadLineAsync()) is not null)
            {
                lock (_stderr)
                {
                    _stderr.Enqueue(line.Length > 300 ? line[..300] : line);
                    while (_stderr.Count > StderrLines)
                        _stderr.Dequeue();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process went away.
        }
    }

    private void Kill()
    {
        Broken = true;
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static string Excerpt(string text) => text.Length > 200 ? text[..200] + "…" : text;

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // Already closed.
        }
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }
        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(2)));
        _process.Dispose();
    }
}
