using ApiCache.DevServer.Discovery;

namespace ApiCache.Tests.DevServer.Discovery;

/// <summary>API versions in the apiserver's preference order.</summary>
public sealed class KubeVersionComparerTests
{
    [Fact]
    public void Compare_MixedVersions_GaThenBetaThenAlphaThenOthers()
    {
        string[] versions = ["v1alpha1", "foo", "v1beta1", "v1", "v2alpha1", "v10", "v1beta2", "v2", "bar", "v2beta1"];

        var ordered = versions.Order(KubeVersionComparer.Instance);

        Assert.Equal(["v10", "v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v2alpha1", "v1alpha1", "bar", "foo"], ordered);
    }

    [Theory]
    [InlineData("v1", "v1", 0)]
    [InlineData("v2", "v1", -1)]
    [InlineData("v1beta1", "v1", 1)]
    [InlineData("v0", "v1alpha1", 1)]
    public void Compare_Pair_SignMatchesPreference(string x, string y, int sign)
    {
        Assert.Equal(sign, Math.Sign(KubeVersionComparer.Instance.Compare(x, y)));
    }
}
