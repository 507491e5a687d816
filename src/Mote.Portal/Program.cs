using Mote.Portal.Hosting;

// Program.cs only composes; everything is registered in Hosting/PortalHost.cs.
var builder = PortalHost.CreateBuilder(args);
builder.AddMotePortal();
var app = builder.Build();
await app.UseMotePortalAsync();
await app.RunAsync();
