using System;
using System.Collections.Generic;
using Kiln.Tests.Models;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Every setting torch.optim rejects with ValueError is rejected here too, NaN included (PyTorch's `not 0.0 <= x`), in
/// constructors, AddParamGroup and LoadStateDict.
/// </summary>
public class OptimizerValidationTests
{
    public static TheoryData<string> Invalid() => new()
    {
        "SGD lr -1", "SGD lr NaN", "SGD momentum -0.1", "SGD momentum NaN", "SGD weight_decay -1", "SGD dampening NaN",
        "Adam lr NaN", "Adam beta1 1", "Adam beta2 NaN", "Adam eps -1", "Adam weight_decay NaN", "AdamW beta1 -0.1",
        "Adagrad lr_decay -1", "Adagrad eps NaN", "Adagrad initial_accumulator_value -1",
        "RMSprop alpha -1", "RMSprop eps NaN", "RMSprop momentum -1",
        "Adadelta rho 1.5", "Adadelta rho NaN", "Adadelta eps -1",
        "Adamax beta2 1", "Adamax eps NaN", "NAdam momentum_decay -1", "NAdam beta1 NaN", "RAdam eps -1", "RAdam beta1 2",
        "Rprop etas", "Rprop step sizes", "SparseAdam lr NaN", "SparseAdam beta1 1", "LBFGS lr NaN", "LBFGS history_size 0",
    };

    private static object Make(string setting, ModelState s) => setting switch
    {
        "SGD lr -1" => new Sgd(s, -1f),
        "SGD lr NaN" => new Sgd(s, float.NaN),
        "SGD momentum -0.1" => new Sgd(s, 0.1f, momentum: -0.1f),
        "SGD momentum NaN" => new Sgd(s, 0.1f, momentum: float.NaN),
        "SGD weight_decay -1" => new Sgd(s, 0.1f, weightDecay: -1f),
        "SGD dampening NaN" => new Sgd(s, 0.1f, momentum: 0.9f, dampening: float.NaN),
        "Adam lr NaN" => new Adam(s, new AdamOptions(double.NaN)),
        "Adam beta1 1" => new Adam(s, new AdamOptions { Beta1 = 1 }),
        "Adam beta2 NaN" => new Adam(s, new AdamOptions { Beta2 = double.NaN }),
        "Adam eps -1" => new Adam(s, new AdamOptions { Eps = -1 }),
        "Adam weight_decay NaN" => new Adam(s, new AdamOptions { WeightDecay = double.NaN }),
        "AdamW beta1 -0.1" => new AdamW(s, new AdamOptions { Beta1 = -0.1 }),
        "Adagrad lr_decay -1" => new Adagrad(s, new AdagradOptions { LrDecay = -1 }),
        "Adagrad eps NaN" => new Adagrad(s, new AdagradOptions { Eps = double.NaN }),
        "Adagrad initial_accumulator_value -1" => new Adagrad(s, new AdagradOptions { InitialAccumulatorValue = -1 }),
        "RMSprop alpha -1" => new RmsProp(s, new RmsPropOptions { Alpha = -1 }),
        "RMSprop eps NaN" => new RmsProp(s, new RmsPropOptions { Eps = double.NaN }),
        "RMSprop momentum -1" => new RmsProp(s, new RmsPropOptions { Momentum = -1 }),
        "Adadelta rho 1.5" => new Adadelta(s, new AdadeltaOptions { Rho = 1.5 }),
        "Adadelta rho NaN" => new Adadelta(s, new AdadeltaOptions { Rho = double.NaN }),
        "Adadelta eps -1" => new Adadelta(s, new AdadeltaOptions { Eps = -1 }),
        "Adamax beta2 1" => new Adamax(s, new AdamaxOptions { Beta2 = 1 }),
        "Adamax eps NaN" => new Adamax(s, new AdamaxOptions { Eps = double.NaN }),
        "NAdam momentum_decay -1" => new NAdam(s, new NAdamOptions { MomentumDecay = -1 }),
        "NAdam beta1 NaN" => new NAdam(s, new NAdamOptions { Beta1 = double.NaN }),
        "RAdam eps -1" => new RAdam(s, new RAdamOptions { Eps = -1 }),
        "RAdam beta1 2" => new RAdam(s, new RAdamOptions { Beta1 = 2 }),
        "Rprop etas" => new Rprop(s, new RpropOptions { EtaMinus = 1.5 }),
        "Rprop step sizes" => new Rprop(s, new RpropOptions { StepSizeMin = 1, StepSizeMax = 0.5 }),
        "SparseAdam lr NaN" => new SparseAdam(s, new AdamOptions(double.NaN)),
        "SparseAdam beta1 1" => new SparseAdam(s, new AdamOptions { Beta1 = 1 }),
        "LBFGS lr NaN" => new Lbfgs(s, new LbfgsOptions(double.NaN)),
        "LBFGS history_size 0" => new Lbfgs(s, new LbfgsOptions { HistorySize = 0 }),
        _ => throw new InvalidOperationException(setting),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_setting_PyTorch_rejects_is_rejected(string setting)
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        Assert.ThrowsAny<ArgumentException>(() => Make(setting, m.Parameters));
    }

    /// <summary>The error names the argument the user passed (not an internal name), and a float setting is kept as the
    /// number written (Python's 0.05, not float32's 0.05000000074505806).</summary>
    [Fact]
    public void Sgd_names_the_bad_argument_and_keeps_the_settings_as_written()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd(m.Parameters, 0.1f, nesterov: true)).ParamName);
        var momentum = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(m.Parameters, 0.1f, momentum: -1f));
        Assert.Equal("Momentum", momentum.ParamName);   // the options property, with PyTorch's message
        Assert.StartsWith("Invalid momentum value: -1", momentum.Message);
        Assert.DoesNotContain("Actual value", momentum.Message);
        var sgd = new Sgd(m.Parameters, 0.05f, momentum: 0.9f, weightDecay: 1e-4f);
        var options = sgd.ParamGroups[0].Options;
        Assert.Equal((0.05, 0.9, 1e-4), (options.Lr, options.Momentum, options.WeightDecay));
        Assert.Equal("0.05", sgd.ParamGroups[0].Options.Lr.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Add_param_group_validates_its_options()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        var adam = new Adam(m.Parameters, new AdamOptions(0.1), names: ["x"]);
        Assert.ThrowsAny<ArgumentException>(() => adam.AddParamGroup(["y"], new AdamOptions(double.NaN)));
        Assert.ThrowsAny<ArgumentException>(() => adam.AddParamGroup(["y"], new AdamOptions { Beta1 = 7 }));
        adam.AddParamGroup(["y"], new AdamOptions(0.2));   // a valid one still goes in
        Assert.Equal(2, adam.ParamGroups.Count);
    }

    [Fact]
    public void Load_state_dict_revalidates_what_it_loads()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        var adam = new Adam(m.Parameters);
        var state = adam.StateDict();
        OptimizerState With(OptimizerOptions options, long step) => new([(state.Groups[0].Names, options, step, state.Groups[0].Scalars)], state.Buffers);
        Assert.ThrowsAny<ArgumentException>(() => adam.LoadStateDict(With(new AdamOptions(-1), 0)));
        Assert.ThrowsAny<ArgumentException>(() => adam.LoadStateDict(With(new AdamOptions { Beta1 = 7 }, 0)));
        Assert.ThrowsAny<ArgumentException>(() => adam.LoadStateDict(With(new AdamOptions(), -5)));
        Assert.Equal(1e-3, adam.ParamGroups[0].Options.Lr);   // nothing was applied
        var sparse = new SparseAdam(m.Parameters);
        var sparseState = sparse.StateDict();
        Assert.ThrowsAny<ArgumentException>(() => sparse.LoadStateDict(new OptimizerState([(sparseState.Groups[0].Names, new AdamOptions(0.1), -1, sparseState.Groups[0].Scalars)], sparseState.Buffers)));
    }

    [Fact]
    public void A_null_closure_and_an_unset_max_eval_are_named()
    {
        using var d = Device.ManagedCpu();
        var m = new Himmelblau(d);
        Assert.Equal("closure", Assert.Throws<ArgumentNullException>(() => new Adam(m.Parameters).Step(null!)).ParamName);
        Assert.Equal("closure", Assert.Throws<ArgumentNullException>(() => new SparseAdam(m.Parameters).Step(null!)).ParamName);
        Assert.Equal("closure", Assert.Throws<ArgumentNullException>(() => new Lbfgs(m.Parameters).Step(null!)).ParamName);
        // max_eval left unset is said so, not printed as nothing
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Lbfgs(m.Parameters, new LbfgsOptions { HistorySize = 0 }));
        Assert.Contains("max_eval unset", e.Message);
        Assert.Contains("history_size 0", e.Message);
    }
}
