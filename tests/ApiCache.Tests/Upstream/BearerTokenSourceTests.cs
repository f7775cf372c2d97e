using ApiCache.Tests.Infrastructure;
using ApiCache.Configuration;
using ApiCache.Upstream;

namespace ApiCache.Tests.Upstream;

public sealed class BearerTokenSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeClock _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Create_NoToken_ReturnsNull()
    {
        // Arrange
        var settings = Settings();

        // Act
        var source = BearerTokenSource.Create(settings, _time);

        // Assert
        Assert.Null(source);
    }

    [Fact]
    public void GetToken_StaticToken_ReturnsTrimmedToken()
    {
        // Arrange
        var source = BearerTokenSource.Create(Settings() with { BearerToken = " abc\n" }, _time)!;

        // Act
        _time.Advance(TimeSpan.FromHours(1));
        var token = source.GetToken();

        // Assert
        Assert.Equal("abc", token);
        Assert.Null(source.TokenFile);
    }

    [Fact]
    public void GetToken_FileRotatedBeforeRefreshPeriod_ReturnsCachedToken()
    {
        // Arrange
        var file = _dir.Write("token", "first\n");
        var source = BearerTokenSource.Create(Settings() with { BearerTokenFile = file }, _time)!;
        File.WriteAllText(file, "second");

        // Act
        _time.Advance(BearerTokenSource.DefaultRefreshPeriod - TimeSpan.FromSeconds(1));
        var token = source.GetToken();

        // Assert
        Assert.Equal("first", token);
    }

    [Fact]
    public void GetToken_FileRotatedAfterRefreshPeriod_ReturnsNewToken()
    {
        // Arrange
        var file = _dir.Write("token", "first\n");
        var source = BearerTokenSource.Create(Settings() with { BearerTokenFile = file }, _time)!;
        File.WriteAllText(file, "  second \n");

        // Act
        _time.Advance(BearerTokenSource.DefaultRefreshPeriod);
        var token = source.GetToken();

        // Assert
        Assert.Equal("second", token);
    }

    [Fact]
    public void GetToken_FileDeleted_KeepsLastGoodTokenUntilFileReturns()
    {
        // Arrange
        var file = _dir.Write("token", "good");
        var source = BearerTokenSource.Create(Settings() with { BearerTokenFile = file }, _time, TimeSpan.FromSeconds(30))!;
        File.Delete(file);

        // Act
        _time.Advance(TimeSpan.FromSeconds(30));
        var whileMissing = source.GetToken();
        _dir.Write("token", "rotated");
        var rightAfter = source.GetToken();
        _time.Advance(TimeSpan.FromSeconds(10));
        var afterRetry = source.GetToken();

        // Assert
        Assert.Equal("good", whileMissing);
        Assert.Equal("good", rightAfter);
        Assert.Equal("rotated", afterRetry);
    }

    [Fact]
    public void GetToken_FileEmptied_KeepsLastGoodToken()
    {
        // Arrange
        var file = _dir.Write("token", "good");
        var source = BearerTokenSource.Create(Settings() with { BearerTokenFile = file }, _time)!;
        File.WriteAllText(file, "\n");

        // Act
        _time.Advance(TimeSpan.FromMinutes(5));
        var token = source.GetToken();

        // Assert
        Assert.Equal("good", token);
    }

    [Fact]
    public void Create_EmptyFileWithoutStaticToken_ThrowsNamingFile()
    {
        // Arrange
        var file = _dir.Write("token", " ");

        // Act
        var ex = Assert.Throws<ApiCacheConfigurationException>(() => BearerTokenSource.Create(Settings() with { BearerTokenFile = file }, _time));

        // Assert
        Assert.Contains(file, ex.Message, StringComparison.Ordinal);
        Assert.Contains("test source", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetToken_UnreadableFileWithStaticToken_FallsBackUntilFileIsReadable()
    {
        // Arrange
        var file = Path.Join(_dir.Path, "token");
        var source = BearerTokenSource.Create(Settings() with { BearerToken = "static", BearerTokenFile = file }, _time)!;

        // Act
        var before = source.GetToken();
        _dir.Write("token", "from-file");
        _time.Advance(TimeSpan.FromSeconds(10));
        var after = source.GetToken();

        // Assert
        Assert.Equal("static", before);
        Assert.Equal("from-file", after);
    }

    [Fact]
    public async Task GetToken_ConcurrentCallersAcrossRotation_AlwaysGetAToken()
    {
        // Arrange
        var file = _dir.Write("token", "one");
        var source = BearerTokenSource.Create(Settings() with { BearerTokenFile = file }, _time)!;
        File.WriteAllText(file, "two");
        _time.Advance(BearerTokenSource.DefaultRefreshPeriod);

        // Act
        var tokens = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 1000).Select(_ => source.GetToken()).ToArray())));

        // Assert
        Assert.All(tokens.SelectMany(t => t), t => Assert.Contains(t, new[] { "one", "two" }));
        Assert.Equal("two", source.GetToken());
    }

    private static UpstreamServerSettings Settings() =>
        new() { Url = new Uri("https://a.example"), Source = "test source" };
}
