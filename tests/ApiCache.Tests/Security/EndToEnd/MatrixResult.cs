using System.Collections.Concurrent;
using System.Text;

namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>The answers of one run of <see cref="AuthorizationMatrix"/>, per identity and request, direct and through the proxy.</summary>
internal sealed class MatrixResult
{
    private readonly ConcurrentDictionary<(string Identity, string Request), (MatrixAnswer Direct, MatrixAnswer Proxy)> _cells = new();

    /// <summary>How many cells were run.</summary>
    public int Count => _cells.Count;

    /// <summary>Records one cell.</summary>
    public void Add(TestIdentity identity, MatrixRequest request, MatrixAnswer direct, MatrixAnswer proxy) =>
        _cells[(identity.Name, request.Name)] = (direct, proxy);

    /// <summary>The answers of one cell.</summary>
    public (MatrixAnswer Direct, MatrixAnswer Proxy) this[TestIdentity identity, string request] => _cells[(identity.Name, request)];

    /// <summary>Every cell whose two answers differ, described for a failure message.</summary>
    public IReadOnlyList<string> Mismatches() =>
        _cells
            .Where(c => c.Value.Direct.Status != c.Value.Proxy.Status || c.Value.Direct.Summary != c.Value.Proxy.Summary)
            .OrderBy(c => c.Key.Identity, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Request, StringComparer.Ordinal)
            .Select(c => $"{c.Key.Identity} x {c.Key.Request}:\n    direct: {c.Value.Direct}\n    proxy:  {c.Value.Proxy}")
            .ToList();

    /// <summary>A table of statuses (direct/proxy) for the test output.</summary>
    public string Table()
    {
        var text = new StringBuilder();
        foreach (var group in _cells.OrderBy(c => c.Key.Request, StringComparer.Ordinal).GroupBy(c => c.Key.Request))
        {
            text.Append(group.Key).Append(": ");
            text.AppendJoin(" ", group.OrderBy(c => c.Key.Identity, StringComparer.Ordinal).Select(c => $"{c.Key.Identity}={c.Value.Direct.Status}/{c.Value.Proxy.Status}"));
            text.Append('\n');
        }

        return text.ToString();
    }
}
