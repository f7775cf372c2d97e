namespace ApiCache.Configuration;

/// <summary>
/// Thrown at start-up when ApiCache's configuration is missing or wrong. The message is one line
/// that says what is wrong and how to fix it; hosts print it and exit non-zero.
/// </summary>
public sealed class ApiCacheConfigurationException : Exception
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public ApiCacheConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and the error that caused it.</summary>
    public ApiCacheConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public ApiCacheConfigurationException()
        : base("ApiCache configuration is invalid.")
    {
    }
}
