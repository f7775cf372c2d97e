using ApiCache.Throttling;

namespace ApiCache.Tests.Throttling;

public sealed class UserAgentProductTests
{
    [Theory]
    [InlineData("kubelet/v1.33.1 (linux/amd64) kubernetes/abc", "kubelet")]
    [InlineData("kubectl/v1.27.16 (linux/amd64) kubernetes/cbb86e0", "kubectl")]
    [InlineData("kubectl.exe/v1.33.1 (windows/amd64) kubernetes/8adc0f0", "kubectl")]
    [InlineData("KUBECTL.EXE/v1.33.1", "KUBECTL")]
    [InlineData("kube-controller-manager/v1.33.1 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:replicaset-controller", "kube-controller-manager")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64)", "Mozilla")]
    [InlineData("curl", "curl")]
    [InlineData("bad-agent/1.0", "bad-agent")]
    [InlineData("  leading-space/1.0", "leading-space")]
    [InlineData("two words", "two")]
    [InlineData("tab\tseparated", "tab")]
    [InlineData("paren(x)", "paren")]
    [InlineData("/1.0", "")]
    [InlineData("(weird)", "")]
    [InlineData("   ", "")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData(".exe/1", "")]
    public void Parse_UserAgent_ReturnsProductToken(string? userAgent, string expected)
    {
        // Act
        var product = UserAgentProduct.Parse(userAgent);

        // Assert
        Assert.Equal(expected, product);
    }

    [Fact]
    public void Parse_BareProduct_ReturnsTheSameStringInstance()
    {
        // Arrange
        var userAgent = "curl";

        // Act
        var product = UserAgentProduct.Parse(userAgent);

        // Assert: no copy on the common bare-product path.
        Assert.Same(userAgent, product);
    }

    [Fact]
    public void Parse_VeryLongProduct_IsCutToMaxLength()
    {
        // Arrange
        var userAgent = new string('a', 5000) + "/1.0";

        // Act
        var product = UserAgentProduct.Parse(userAgent);

        // Assert
        Assert.Equal(new string('a', UserAgentProduct.MaxLength), product);
    }

    [Theory]
    [InlineData("", "unknown")]
    [InlineData("kubectl", "kubectl")]
    public void Display_Product_NamesTheEmptyProductUnknown(string product, string expected)
    {
        // Act
        var display = UserAgentProduct.Display(product);

        // Assert
        Assert.Equal(expected, display);
    }
}
