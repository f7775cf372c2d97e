using System.Text.Json.Nodes;
using ApiCache.Tests.Infrastructure;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// Follows the lines of <c>Clients/node/informer-state.mjs</c> (a JavaScript informer that prints its
/// object set after every change): waits until that set equals an expected one, and counts the
/// informer's (re)connects and errors.
/// </summary>
internal sealed class InformerStateReader(NodeClientRunner client, string name)
{
    /// <summary>The most lines one wait reads (a bound, far above what the tests write).</summary>
    private const int MaxLines = 10_000;

    /// <summary>The informer's object set (name to resourceVersion) after the last change it reported.</summary>
    public Dictionary<string, string> Objects { get; private set; } = [];

    /// <summary>How often the informer (re)connected: its initial list, resumed watches, re-lists.</summary>
    public int Connects { get; private set; }

    /// <summary>How many failed lists or watches it reported (each followed by a restart).</summary>
    public int Errors { get; private set; }

    /// <summary>Reads lines until the object set equals <paramref name="expected"/>; fails after <paramref name="timeout"/> with what was seen.</summary>
    public async Task UntilObjectsAsync(IReadOnlyDictionary<string, string> expected, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < MaxLines && !SameObjects(expected); i++)
        {
            var left = timeout - clock.Elapsed;
            string line;
            try
            {
                line = await client.NextLineAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"the {name} informer did not reach the expected objects within {timeout}.\nexpected: {Describe(expected)}\nactual:   {Describe(Objects)}\n{client.Report()}");
                return;
            }

            Apply(JsonNode.Parse(line) ?? throw new InvalidOperationException($"not JSON: {line}"));
        }

        Assert.True(SameObjects(expected), $"the {name} informer: expected {Describe(expected)}\nactual {Describe(Objects)}");
    }

    /// <summary>name=rv pairs in name order, for messages.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> objects) =>
        string.Join(' ', objects.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}={o.Value}"));

    private bool SameObjects(IReadOnlyDictionary<string, string> expected) =>
        Objects.Count == expected.Count && expected.All(e => Objects.TryGetValue(e.Key, out var rv) && rv == e.Value);

    private void Apply(JsonNode line)
    {
        switch (line["event"]!.GetValue<string>())
        {
            case "connect":
                Connects++;
                break;
            case "error":
                Errors++;
                break;
            default:
                Objects = line["objects"]!.AsObject().ToDictionary(o => o.Key, o => o.Value!.GetValue<string>(), StringComparer.Ordinal);
                break;
        }
    }
}
