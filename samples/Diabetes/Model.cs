using Kiln;
using Kiln.Nn;
using static Kiln.Ops;

namespace Samples.Diabetes;

/// <summary>Seed 001's multi-layer classifier: Linear(8, 6) → Linear(6, 4) → Linear(4, 1), sigmoid after each, BCE.</summary>
[Model]
public partial class DiabetesClassifier
{
    [Module(8, 6)] Linear linear1;
    [Module(6, 4)] Linear linear2;
    [Module(4, 1)] Linear linear3;

    [Forward]
    public Tensor Predict([Shape("N", 8)] Tensor x)
    {
        var h1 = Sigmoid(linear1.Forward(x));
        var h2 = Sigmoid(linear2.Forward(h1));
        return Sigmoid(linear3.Forward(h2));
    }

    [Loss]
    public Tensor Loss([Shape("N", 8)] Tensor x, [Shape("N", 1)] Tensor y) => Losses.BinaryCrossEntropy(Predict(x), y);
}
