using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// Every optimizer rule's vector form (the managed path's bulk) against its scalar form (tails and ILGPU kernels): the
/// same operations in the same order, so the same bits, lane by lane, over several steps and with every branch taken.
/// </summary>
public class UpdateRuleTests
{
    private static readonly Dictionary<string, Func<int, IUpdateRule>> Rules = new()
    {
        ["Sgd"] = t => new SgdRule(0.1f, 0.9f, 0.1f, 0.01f, nesterov: true, 1f, first: t == 0),
        ["Sgd plain"] = t => new SgdRule(0.1f, 0f, 0f, 0f, nesterov: false, -1f, first: t == 0),
        ["Adam amsgrad"] = t => new AdamRule(0.05f, 0.9f, 0.999f, 1e-8f, 0.01f, 1f, 0.1f, amsgrad: true, 1f),
        ["Adagrad"] = _ => new AdagradRule(0.3f, 1e-10f, 0.01f, 1f),
        ["RmsProp centered momentum"] = _ => new RmsPropRule(0.01f, 0.99f, 1e-8f, 0.01f, 0.5f, centered: true, 1f),
        ["RmsProp"] = _ => new RmsPropRule(0.01f, 0.99f, 1e-8f, 0f, 0f, centered: false, -1f),
        ["Adadelta"] = _ => new AdadeltaRule(1f, 0.9f, 1e-6f, 0.01f, 1f),
        ["Adamax"] = _ => new AdamaxRule(0.05f, 0.9f, 0.999f, 1e-8f, 0.01f, 1f),
        ["NAdam"] = _ => new NAdamRule(0.01f, 0.02f, 0.9f, 0.999f, 0.1f, 1e-8f, 0.01f, 1f),
        ["RAdam rectified"] = _ => new RAdamRule(0.05f, 0.9f, 0.999f, 0.5f, 0.3f, 0.8f, rectified: true, 1e-8f, 0.01f, 1f),
        ["RAdam"] = _ => new RAdamRule(0.05f, 0.9f, 0.999f, 0.5f, 0.3f, 0.8f, rectified: false, 1e-8f, 0f, 1f),
        ["Asgd"] = _ => new AsgdRule(0.01f, 0.01f, 0.5f, 0.01f, 1f),
        ["Asgd mu 1"] = _ => new AsgdRule(0.01f, 0.01f, 1f, 0f, 1f),
        ["Rprop"] = _ => new RpropRule(0.5f, 1.2f, 1e-6f, 50f, 1f),
    };

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var name in Rules.Keys) d.Add(name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_vector_form_gives_the_scalar_forms_bits(string name)
    {
        var rng = new SeededRandom(3);
        float[] p = new float[8], s0 = new float[8], s1 = new float[8], s2 = new float[8];
        for (int i = 0; i < 8; i++) (p[i], s0[i], s1[i], s2[i]) = (rng.Uniform(-2, 2), rng.Uniform(0, 1), rng.Uniform(0, 1), rng.Uniform(0, 1));
        var (vp, v0, v1, v2) = (Vector256.Create(p), Vector256.Create(s0), Vector256.Create(s1), Vector256.Create(s2));
        for (int t = 0; t < 6; t++)
        {
            // gradients of both signs and exact zeros, so Rprop's sign changes and every branch run
            var g = Enumerable.Range(0, 8).Select(i => i % 4 == 3 ? 0f : rng.Uniform(-1, 1)).ToArray();
            var rule = Rules[name](t);
            for (int i = 0; i < 8; i++) rule.Update(ref p[i], g[i], ref s0[i], ref s1[i], ref s2[i]);
            rule.Update(ref vp, Vector256.Create(g), ref v0, ref v1, ref v2);
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(p[i]), BitConverter.SingleToInt32Bits(vp.GetElement(i)));
                Assert.Equal(BitConverter.SingleToInt32Bits(s0[i]), BitConverter.SingleToInt32Bits(v0.GetElement(i)));
                Assert.Equal(BitConverter.SingleToInt32Bits(s1[i]), BitConverter.SingleToInt32Bits(v1.GetElement(i)));
            }
        }
    }
}
