namespace ApiCache.LoadTests;

internal static class RepositoryPaths
{
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApiCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ApiCache.sln not found above " + AppContext.BaseDirectory);
    }
}
