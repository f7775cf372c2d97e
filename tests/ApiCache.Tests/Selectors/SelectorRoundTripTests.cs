using System.Text;
using ApiCache.Selectors;

namespace ApiCache.Tests.Selectors;

/// <summary>
/// Seeded random round trips: requirements built at random, rendered, parsed back; the parsed selector
/// must have the same requirements and select the same random label and field sets.
/// </summary>
public sealed class SelectorRoundTripTests
{
    private const int Iterations = 2000;
    private const string NameChars = "abcXYZ019-_.";
    private const string FieldValueChars = "ab1 -_.=,\\!()ü";

    private static readonly LabelSelectorOperator[] AllOperators = Enum.GetValues<LabelSelectorOperator>();

    [Theory]
    [InlineData(1)]
    [InlineData(20260522)]
    public void LabelSelector_RenderThenParse_KeepsRequirementsAndMatches(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Iterations; i++)
        {
            var requirements = Enumerable.Range(0, random.Next(1, 5)).Select(_ => RandomRequirement(random)).ToList();
            var selector = LabelSelector.FromRequirements(requirements);
            var text = selector.ToString();

            Assert.True(LabelSelector.TryParse(text, out var parsed, out var error), $"{text}: {error}");
            Assert.Equal(selector.Requirements, parsed.Requirements);
            Assert.Equal(text, parsed.ToString());
            for (var j = 0; j < 5; j++)
            {
                var labels = RandomLabels(random, requirements);
                Assert.Equal(ReferenceMatches(requirements, labels), parsed.Matches(labels));
            }
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(424242)]
    public void FieldSelector_RenderThenParse_KeepsTermsAndMatches(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < Iterations; i++)
        {
            var terms = Enumerable.Range(0, random.Next(1, 4))
                .Select(_ => new FieldRequirement(
                    random.Next(3) switch { 0 => "spec.nodeName", 1 => "status.phase", _ => "metadata.name" },
                    random.Next(2) == 0 ? FieldSelectorOperator.Equals : FieldSelectorOperator.NotEquals,
                    RandomString(random, FieldValueChars, 0, 6)))
                .ToList();
            var text = FieldSelector.FromRequirements(terms).ToString();

            Assert.True(FieldSelector.TryParse(text, out var parsed, out var error), $"{text}: {error}");
            Assert.Equal(terms.Order(TermOrder.Instance), parsed.Requirements.Order(TermOrder.Instance));
            for (var j = 0; j < 5; j++)
            {
                var fields = new Dictionary<string, string>();
                foreach (var term in terms.Where(_ => random.Next(3) > 0))
                {
                    fields[term.Field] = random.Next(2) == 0 ? term.Value : RandomString(random, FieldValueChars, 0, 3);
                }

                var expected = terms.All(t => (fields.GetValueOrDefault(t.Field, "") == t.Value) == (t.Operator == FieldSelectorOperator.Equals));
                Assert.Equal(expected, parsed.Matches(fields));
            }
        }
    }

    private static LabelRequirement RandomRequirement(Random random)
    {
        var key = random.Next(10) switch
        {
            0 => "in",
            1 => "notin",
            2 => "example.com/" + RandomName(random),
            _ => RandomName(random),
        };
        var op = AllOperators[random.Next(AllOperators.Length)];
        IEnumerable<string> values = op switch
        {
            LabelSelectorOperator.Exists or LabelSelectorOperator.DoesNotExist => [],
            LabelSelectorOperator.GreaterThan or LabelSelectorOperator.LessThan => [random.Next(0, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            LabelSelectorOperator.In or LabelSelectorOperator.NotIn => Enumerable.Range(0, random.Next(1, 12)).Select(_ => RandomValue(random)),
            _ => [RandomValue(random)],
        };
        return LabelRequirement.Create(key, op, values);
    }

    private static Dictionary<string, string> RandomLabels(Random random, List<LabelRequirement> requirements)
    {
        var labels = new Dictionary<string, string>();
        foreach (var requirement in requirements.Where(_ => random.Next(4) > 0))
        {
            labels[requirement.Key] = random.Next(3) switch
            {
                0 when requirement.Values.Count > 0 => requirement.Values[random.Next(requirement.Values.Count)],
                1 => random.Next(-5, 1005).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => RandomValue(random),
            };
        }

        return labels;
    }

    /// <summary>The selector semantics written out plainly, independent of LabelRequirement.Matches.</summary>
    private static bool ReferenceMatches(List<LabelRequirement> requirements, Dictionary<string, string> labels) =>
        requirements.All(r =>
        {
            var has = labels.TryGetValue(r.Key, out var value);
            var isNumber = long.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number);
            return r.Operator switch
            {
                LabelSelectorOperator.Equals or LabelSelectorOperator.DoubleEquals or LabelSelectorOperator.In => has && r.Values.Contains(value!),
                LabelSelectorOperator.NotEquals or LabelSelectorOperator.NotIn => !has || !r.Values.Contains(value!),
                LabelSelectorOperator.Exists => has,
                LabelSelectorOperator.DoesNotExist => !has,
                LabelSelectorOperator.GreaterThan => has && isNumber && number > long.Parse(r.Values[0], System.Globalization.CultureInfo.InvariantCulture),
                LabelSelectorOperator.LessThan => has && isNumber && number < long.Parse(r.Values[0], System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new InvalidOperationException(),
            };
        });

    /// <summary>A valid label name: alphanumeric ends, -_. inside.</summary>
    private static string RandomName(Random random)
    {
        var middle = RandomString(random, NameChars, 0, 8);
        return RandomString(random, "abcXYZ019", 1, 1) + (middle.Length == 0 ? "" : middle + RandomString(random, "abcXYZ019", 1, 1));
    }

    private static string RandomValue(Random random) => random.Next(5) == 0 ? "" : random.Next(8) == 0 ? "in" : RandomName(random);

    private static string RandomString(Random random, string alphabet, int min, int max)
    {
        var builder = new StringBuilder();
        var length = random.Next(min, max + 1);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>A total order on terms, to compare them as multisets.</summary>
    private sealed class TermOrder : IComparer<FieldRequirement>
    {
        public static readonly TermOrder Instance = new();

        public int Compare(FieldRequirement? x, FieldRequirement? y) =>
            string.CompareOrdinal(x?.ToString(), y?.ToString());
    }
}
