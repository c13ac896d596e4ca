// Experiment configs: variants become arms with their own run configs, seeds from the file or the command line, and
// bad keys are refused naming the file and the key.
using System.Text.Json.Nodes;
using FedSpine.Federated.Experiments;

namespace FedSpine.Federated.Tests.Experiments;

public sealed class ExperimentConfigTests
{
    private static JsonObject Node() => new()
    {
        ["model"] = "m",
        ["methods"] = new JsonArray("fedspine", "fedit"),
        ["seeds"] = new JsonArray(4, 5),
        ["rounds"] = 7,
        ["variants"] = new JsonObject { ["fedspine-delta"] = new JsonObject { ["method"] = "fedspine", ["rounds"] = 9 } },
    };

    [Fact]
    public void Variants_are_arms_whose_run_config_overrides_the_base()
    {
        var c = ExperimentConfig.Parse(Node(), "e.yaml");
        Assert.Equal(["fedspine", "fedit", "fedspine-delta"], c.Arms.Select(a => a.Name));
        Assert.Equal([4UL, 5UL], c.Seeds);
        Assert.Equal("fedspine", c.Reference);
        var variant = c.RunConfigFor(c.Arms[2], 5);
        Assert.Equal(9, variant.Rounds);
        Assert.Equal(["fedspine"], variant.Methods);
        Assert.Equal(5UL, variant.Seed);
        var plain = c.RunConfigFor(c.Arms[1], 4);
        Assert.Equal(7, plain.Rounds);
        Assert.Equal(["fedit"], plain.Methods);
    }

    [Fact]
    public void Saved_config_reads_back_to_the_same_arms_and_seeds()
    {
        var c = ExperimentConfig.Parse(Node(), "e.yaml", seedsOverride: [1, 2, 3]);
        var again = ExperimentConfig.Parse(c.ToNode(), "experiment.json");
        Assert.Equal(c.Arms.Select(a => a.Name), again.Arms.Select(a => a.Name));
        Assert.Equal([1UL, 2UL, 3UL], again.Seeds);
        Assert.Equal(9, again.RunConfigFor(again.Arms[2], 1).Rounds);
    }

    [Theory]
    [InlineData("reference", "\"nope\"", "reference")]
    [InlineData("seeds", "[1, 1]", "seeds")]
    [InlineData("smoothing_window", "0", "smoothing_window")]
    [InlineData("lr", "-1", "lr")]
    [InlineData("colour", "1", "colour")]
    public void Bad_keys_are_refused_naming_the_file_and_key(string key, string json, string named)
    {
        var node = Node();
        node[key] = JsonNode.Parse(json);
        var e = Assert.ThrowsAny<Exception>(() => ExperimentConfig.Parse(node, "e.yaml"));
        Assert.Contains("e.yaml", e.Message);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void A_variant_of_an_unknown_method_is_refused()
    {
        var node = Node();
        node["variants"] = new JsonObject { ["x"] = new JsonObject { ["method"] = "fedmagic" } };
        var e = Assert.Throws<ArgumentException>(() => ExperimentConfig.Parse(node, "e.yaml"));
        Assert.Contains("arm x", e.Message);
        Assert.Contains("fedmagic", e.Message);
    }
}
