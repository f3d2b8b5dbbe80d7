using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Bench;

/// <summary>
/// The throughput baseline: bare Kestrel on 127.0.0.1:0, HTTPS with the same kind of certificate and the same
/// protocols as the reference DP, answering every POST with fixed JSON bytes (a real lookup answer captured
/// from the DP, so both send the same bytes) after draining the request body. No routing, no storage, no JSON.
/// </summary>
internal sealed class BaselineServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private BaselineServer(WebApplication app, X509Certificate2 certificate, Uri url)
    {
        _app = app;
        _certificate = certificate;
        Url = url;
    }

    public Uri Url { get; }

    public string PinSha256Hex => DpCertificate.PinSha256Hex(_certificate);

    public static async Task<BaselineServer> StartAsync(byte[] fixedJson, TimeProvider time, CancellationToken ct)
    {
        var certificate = DpCertificate.Create(time, IPAddress.Loopback);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate, SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 });
            });
        });
        var app = builder.Build();
        app.Run(async ctx =>
        {
            await ctx.Request.Body.CopyToAsync(Stream.Null, ctx.RequestAborted);
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = fixedJson.Length;
            await ctx.Response.Body.WriteAsync(fixedJson, ctx.RequestAborted);
        });
        await app.StartAsync(ct);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BaselineServer(app, certificate, new Uri($"https://127.0.0.1:{new Uri(bound).Port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _certificate.Dispose();
    }
}
