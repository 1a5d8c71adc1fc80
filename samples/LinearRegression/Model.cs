using Kiln;
using Kiln.Nn;

namespace Samples.LinearRegression;

/// <summary>Seed 001's LinearModel: one nn.Linear(1, 1), trained with MSELoss(reduction='sum').</summary>
[Model]
public partial class LinearModel
{
    [Module(1, 1)] Linear linear;

    [Forward]
    public Tensor Predict([Shape("N", 1)] Tensor x) => linear.Forward(x);

    [Loss]
    public Tensor Loss([Shape("N", 1)] Tensor x, [Shape("N", 1)] Tensor y) => Losses.MseLoss(Predict(x), y, Reduction.Sum);
}
