var builder = WebApplication.CreateBuilder(args);
builder.Services.AddApiCache(builder.Configuration);
var app = builder.Build();
app.MapApiCache();
app.Run();
