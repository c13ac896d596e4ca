// Length-bucketed evaluation gives the predictions of one full-length graph, example by example, on the bundled model
// with the spam test set (lengths from a few tokens to the 256-token cut), for mean and last-token pooling.
using FedSpine.Federated.Runs;
using FedSpine.Model;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Runs;

public sealed class BucketedAccuracyTests
{
    [Theory]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.LastToken)]
    public void Bucketed_predictions_equal_one_full_length_graph(Pooling pooling)
    {
        var config = TinyRuns.Spam();
        var loaded = ModelLoader.Load(config.Model, null, requireTokenizer: true);
        var (_, testText) = FederatedData.LoadTask(config);
        var test = TokenizedClassificationSet.Encode(testText, loaded.Tokenizer!, 256).Subset(Enumerable.Range(0, 160).ToArray(), "spam test (160)");
        Assert.True(Enumerable.Range(0, test.Count).Select(i => test.Ids(i).Length).Distinct().Count() > 4, "the sample should hold several lengths");
        var head = new ClassificationHead(loaded.Weights.Config.HiddenSize, 2, new Rng(3), pooling);
        new Rng(4).FillGaussian(head.Weight.Span, 1f);

        var full = new bool[test.Count];
        double fullAccuracy = new ClassificationTask(head, test, test).Evaluate(new TrainingGraph(loaded.Weights, null, null, null, 32, 256), full).Value;
        var bucketed = new bool[test.Count];
        double bucketedAccuracy = BucketedAccuracy.Evaluate(loaded.Weights, head, test, 32, 256, bucketed);

        Assert.Equal(full, bucketed);
        Assert.Equal(fullAccuracy, bucketedAccuracy, 12);
        Assert.InRange(fullAccuracy, 0.05, 0.95);   // a random head that predicts both classes: the comparison means something
    }
}
