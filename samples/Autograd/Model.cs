using Kiln;
using static Kiln.Ops;

namespace Samples.Autograd;

/// <summary>Seed 003's tour of activations, softmax, losses and gradients, as model methods.</summary>
[Model]
public partial class Tour
{
    /// <summary>The weight of seed 003's cross-entropy example: a parameter, so backward fills w.grad.</summary>
    [Param(64, 10)] Tensor w;

    /// <summary>The activations on a grid, for the plot.</summary>
    [Forward]
    public (Tensor sigmoid, Tensor tanh, Tensor relu) Activations([Shape("N")] Tensor x) => (Sigmoid(x), Tanh(x), Relu(x));

    // Σ f(x) has d/dx_i = f'(x_i): the derivative at every point of the grid, from one backward pass each
    [Loss] public Tensor SigmoidSum([RequiresGrad, Shape("N")] Tensor x) => Sigmoid(x).Sum();
    [Loss] public Tensor TanhSum([RequiresGrad, Shape("N")] Tensor x) => Tanh(x).Sum();
    [Loss] public Tensor ReluSum([RequiresGrad, Shape("N")] Tensor x) => Relu(x).Sum();

    /// <summary>logits = torch.rand(10); prob = F.softmax(logits, dim=0).</summary>
    [Forward]
    public (Tensor logits, Tensor prob) SoftmaxOfRand()
    {
        var logits = Rand(10);
        return (logits, Softmax(logits, 0));
    }

    /// <summary>Σ softmax(logits)·v: its gradient is Jᵀv, so v = e_j gives column j of the Jacobian ∂p_i/∂a_j.</summary>
    [Loss] public Tensor SoftmaxAlong([RequiresGrad, Shape(10)] Tensor logits, [Shape(10)] Tensor v) => (Softmax(logits, 0) * v).Sum();

    /// <summary>x = torch.rand(100, 64), w = torch.rand(64, 1), y = torch.rand(100, 1), drawn in the graph.</summary>
    [Forward] public (Tensor x, Tensor w, Tensor y) MseData() => (Rand(100, 64), Rand(64, 1), Rand(100, 1));

    /// <summary>mse = F.mse_loss(x@w, y); torch.autograd.grad(mse, [w]) is InputGrad("w").</summary>
    [Loss] public Tensor Mse([Shape(100, 64)] Tensor x, [RequiresGrad, Shape(64, 1)] Tensor w, [Shape(100, 1)] Tensor y) => Losses.MseLoss(x.MatMul(w), y);

    /// <summary>entropy = F.cross_entropy(x@w, y); entropy.backward() fills w.grad.</summary>
    [Loss] public Tensor Entropy([Shape(100, 64)] Tensor x, [Shape(100)] IntTensor y) => Losses.CrossEntropy(x.MatMul(w), y);
}

/// <summary>Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)²: four minima, all with f = 0.</summary>
[Model]
public partial class Himmelblau
{
    [Param(2)] Tensor p;

    [Loss]
    public Tensor F()
    {
        var x = p[0];
        var y = p[1];
        return Pow(x * x + y - 11f, 2f) + Pow(x + y * y - 7f, 2f);
    }
}
