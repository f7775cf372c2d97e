using ApiCache.DevServer.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// The dev API server: a small Kubernetes-compatible API server over an in-memory store or etcd.
// Listens on --urls (default http://127.0.0.1:6443, or https:// with DevServer:Tls); configured by
// the DevServer section of appsettings.json, environment variables (DevServer__EtcdEndpoint) or
// arguments (--DevServer:Seed:Pods=1000). With --DevServer:EmbedCache=true it also hosts ApiCache
// in-process (configured by the ApiCache section): MapDevServer then maps ApiCache after the dev
// server's API. --DevServer:Tls:CertificateFile/KeyFile serve HTTPS (client certificates asked for,
// checked against --DevServer:Tls:ClientCaFile); --DevServer:Security:PolicyFile turns on
// authentication and authorization (docs/dev-server-security.md).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.UseUtcTimestamp = true;
    console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
});
var tls = builder.Configuration.ReadDevServerTlsOptions();
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
{
    builder.WebHost.UseUrls(tls.ServesHttps ? "https://127.0.0.1:6443" : "http://127.0.0.1:6443");
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.UseDevServerTls(tls);
});
builder.Services.AddDevServer(builder.Configuration);

var app = builder.Build();
app.MapDevServer();
await app.StartAsync();
foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
{
    Console.WriteLine($"devserver: serving on {address}");
}

await app.WaitForShutdownAsync();
