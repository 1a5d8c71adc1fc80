using Kiln;
using static Kiln.Ops;

namespace Kiln.Tests.Models;

/// <summary>Dropout by its short name (nn.Dropout, by mode), written out (F.dropout: whatever the mode), and with
/// training: false (the identity).</summary>
[Model]
public partial class DropoutSpellings
{
    [Forward] public Tensor Short([Shape(400)] Tensor x) => Dropout(x, 0.25f);
    [Forward] public Tensor Written([Shape(400)] Tensor x) => Ops.Dropout(x, 0.25f);
    [Forward] public Tensor Off([Shape(400)] Tensor x) => Ops.Dropout(x, 0.25f, training: false);
}
