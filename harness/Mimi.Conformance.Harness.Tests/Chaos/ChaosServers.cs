using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WireMock.Logging;
using WireMock.Server;
using WireMock.Settings;

namespace Mimi.Conformance.Harness.Tests.Chaos;

/// <summary>An in-process WireMock.Net on 127.0.0.1 (plain HTTP, no admin interface, no request journal).</summary>
public sealed class WireMockNetDp : IDisposable
{
    public WireMockNetDp()
    {
        var port = FreePort.Next();
        Server = WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{port}"],
            StartAdminInterface = false,
            ReadStaticMappings = false,
            MaxRequestLogCount = 0,
            Logger = new WireMockNullLogger(),
        });
        // Server.Url names "localhost"; the harness is pointed at the address itself.
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public WireMockServer Server { get; }

    public Uri BaseUrl { get; }

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
    }
}

/// <summary>The transport faults the Java WireMock offered, below HTTP's framing.</summary>
public enum TransportFault
{
    /// <summary>The connection is reset (TCP RST) before any byte of an answer.</summary>
    ConnectionResetByPeer,

    /// <summary>The connection is closed (FIN) before any byte of an answer.</summary>
    EmptyResponse,

    /// <summary>A 200 status line and a chunked header, then bytes that are no chunk, then close.</summary>
    MalformedResponseChunk,

    /// <summary>Random bytes instead of a status line, then close.</summary>
    RandomDataThenClose,
}

/// <summary>
/// Our own Kestrel endpoint on 127.0.0.1 for the transport faults. WireMock.Net's two faults stay inside HTTP's framing
/// (EMPTY_RESPONSE answers the stub's status with an empty body; MALFORMED_RESPONSE_CHUNK answers half the body plus
/// random bytes with a valid Content-Length), so they are malformed answers, not transport faults; it has no reset and
/// no raw bytes. Here the handler takes the connection's socket and writes or closes it directly. When
/// <see cref="MetadataToo"/> is false, metadata and test control answer normally and every other call is faulty.
/// </summary>
public sealed class TransportFaultDp : IAsyncLifetime
{
    private static readonly byte[] ChunkedHeader = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray();
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public TransportFault Fault { get; set; }

    public bool MetadataToo { get; set; }

    /// <summary>The metadata document served while <see cref="MetadataToo"/> is false.</summary>
    public string Metadata { get; set; } = "{}";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(TransportFaultDp).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        var bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri($"http://127.0.0.1:{new Uri(bound).Port}");
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (!MetadataToo && ctx.Request.Method == "GET" && path == "/.well-known/mimi-discovery")
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(Metadata, ctx.RequestAborted);
            return;
        }
        if (!MetadataToo && ctx.Request.Method == "POST" && path.StartsWith("/test-control/", StringComparison.Ordinal))
        {
            ctx.Response.StatusCode = 204;
            return;
        }
        var socket = ctx.Features.Get<IConnectionSocketFeature>()?.Socket ?? throw new InvalidOperationException("Kestrel's socket transport exposes no socket");
        // Seeded per path: the same call gets the same garbage in every run.
        var garbage = new byte[256];
        new Random(StringComparer.Ordinal.GetHashCode(path) & 0x7fff).NextBytes(garbage);
        garbage[0] = (byte)'\0'; // never the start of "HTTP/"
        try
        {
            switch (Fault)
            {
                case TransportFault.ConnectionResetByPeer:
                    // Linger 0 makes the close an RST rather than a FIN.
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                    break;
                case TransportFault.EmptyResponse:
                    socket.Shutdown(SocketShutdown.Send);
                    break;
                case TransportFault.MalformedResponseChunk:
                    await socket.SendAsync(ChunkedHeader.Concat(garbage).ToArray(), SocketFlags.None, ctx.RequestAborted);
                    socket.Shutdown(SocketShutdown.Send);
                    break;
                case TransportFault.RandomDataThenClose:
                    await socket.SendAsync(garbage, SocketFlags.None, ctx.RequestAborted);
                    socket.Shutdown(SocketShutdown.Send);
                    break;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The harness hung up first; nothing to fault.
        }
        ctx.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}

internal static class FreePort
{
    /// <summary>A port free on 127.0.0.1 now (WireMock.Net takes a port number, not a listener).</summary>
    public static int Next()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
