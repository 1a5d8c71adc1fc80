using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using static System.Runtime.Intrinsics.Vector256;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace Kiln;

// The per-element rules of torch.optim's documented algorithms (single-tensor form). Host code computes the
// step-dependent scalars (bias corrections, schedules) once per step in double; a rule only does the element math.
// "sign" is -1 when maximizing: the gradient is negated before weight decay is added, as in PyTorch.
// Each rule's vector form is its scalar form on 8 lanes, operation for operation in the same order (C is Vector256.Create).

public readonly struct SgdRule(float lr, float momentum, double dampening, float weightDecay, bool nesterov, float sign, bool first) : IUpdateRule
{
    private readonly float _lr = lr, _mu = momentum, _damp = (float)dampening, _wd = weightDecay, _sign = sign;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _cdamp = (float)(1 - dampening);
    private readonly int _nesterov = nesterov ? 1 : 0, _first = first ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float buf, ref float s1, ref float s2)
    {
        float d = _sign * g + _wd * p;
        if (_mu != 0)
        {
            buf = _first != 0 ? d : _mu * buf + _cdamp * d;
            d = _nesterov != 0 ? d + _mu * buf : buf;
        }
        p -= _lr * d;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V buf, ref V s1, ref V s2)
    {
        var d = Create(_sign) * g + Create(_wd) * p;
        if (_mu != 0)
        {
            buf = _first != 0 ? d : Create(_mu) * buf + Create(_cdamp) * d;
            d = _nesterov != 0 ? d + Create(_mu) * buf : buf;
        }
        p -= Create(_lr) * d;
    }
}

/// <summary>Adam and AdamW (decay = 1 - lr·wd multiplies p first for AdamW; wd is then 0 in the gradient).</summary>
public readonly struct AdamRule(float stepSize, double beta1, double beta2, float eps, float weightDecay, float decay, float sqrtBc2, bool amsgrad, float sign) : IUpdateRule
{
    private readonly float _stepSize = stepSize, _b1 = (float)beta1, _b2 = (float)beta2, _eps = eps, _wd = weightDecay, _decay = decay, _sqrtBc2 = sqrtBc2, _sign = sign;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _c1 = (float)(1 - beta1), _c2 = (float)(1 - beta2);
    private readonly int _amsgrad = amsgrad ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float m, ref float v, ref float vmax)
    {
        float grad = _sign * g + _wd * p;
        p *= _decay;
        m += _c1 * (grad - m);
        v = _b2 * v + _c2 * grad * grad;
        float second = v;
        if (_amsgrad != 0) { vmax = MathF.Max(vmax, v); second = vmax; }
        p -= _stepSize * m / (MathF.Sqrt(second) / _sqrtBc2 + _eps);
    }

    /// <summary>The same arithmetic, in the same order, on 8 lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v, ref Vector256<float> vmax)
    {
        // in registers, each stream stored once (through the refs the JIT would store and reload p and v)
        V pv = p, mv = m, vv = v;
        var grad = Vector256.Create(_sign) * g + Vector256.Create(_wd) * pv;
        pv *= Vector256.Create(_decay);
        mv += Vector256.Create(_c1) * (grad - mv);
        vv = Vector256.Create(_b2) * vv + Vector256.Create(_c2) * grad * grad;
        var second = vv;
        if (_amsgrad != 0) { vmax = Vector256.Max(vmax, vv); second = vmax; }
        pv -= Vector256.Create(_stepSize) * mv / (Vector256.Sqrt(second) / Vector256.Create(_sqrtBc2) + Vector256.Create(_eps));
        p = pv; m = mv; v = vv;
    }
}

public readonly struct AdagradRule(float clr, float eps, float weightDecay, float sign) : IUpdateRule
{
    private readonly float _clr = clr, _eps = eps, _wd = weightDecay, _sign = sign;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float sum, ref float s1, ref float s2)
    {
        float grad = _sign * g + _wd * p;
        sum += grad * grad;
        p -= _clr * grad / (MathF.Sqrt(sum) + _eps);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V sum, ref V s1, ref V s2)
    {
        var grad = Create(_sign) * g + Create(_wd) * p;
        sum += grad * grad;
        p -= Create(_clr) * grad / (Sqrt(sum) + Create(_eps));
    }
}

public readonly struct RmsPropRule(float lr, double alpha, float eps, float weightDecay, float momentum, bool centered, float sign) : IUpdateRule
{
    private readonly float _lr = lr, _alpha = (float)alpha, _eps = eps, _wd = weightDecay, _mu = momentum, _sign = sign;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _calpha = (float)(1 - alpha);
    private readonly int _centered = centered ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float squareAvg, ref float gradAvg, ref float buf)
    {
        float grad = _sign * g + _wd * p;
        squareAvg = _alpha * squareAvg + _calpha * grad * grad;
        float avg;
        if (_centered != 0)
        {
            gradAvg += _calpha * (grad - gradAvg);
            avg = MathF.Sqrt(squareAvg - gradAvg * gradAvg) + _eps;
        }
        else avg = MathF.Sqrt(squareAvg) + _eps;
        if (_mu > 0)
        {
            buf = _mu * buf + grad / avg;
            p -= _lr * buf;
        }
        else p -= _lr * grad / avg;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V squareAvg, ref V gradAvg, ref V buf)
    {
        var grad = Create(_sign) * g + Create(_wd) * p;
        squareAvg = Create(_alpha) * squareAvg + Create(_calpha) * grad * grad;
        V avg;
        if (_centered != 0)
        {
            gradAvg += Create(_calpha) * (grad - gradAvg);
            avg = Sqrt(squareAvg - gradAvg * gradAvg) + Create(_eps);
        }
        else avg = Sqrt(squareAvg) + Create(_eps);
        if (_mu > 0)
        {
            buf = Create(_mu) * buf + grad / avg;
            p -= Create(_lr) * buf;
        }
        else p -= Create(_lr) * grad / avg;
    }
}

public readonly struct AdadeltaRule(float lr, double rho, float eps, float weightDecay, float sign) : IUpdateRule
{
    private readonly float _lr = lr, _rho = (float)rho, _eps = eps, _wd = weightDecay, _sign = sign;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _crho = (float)(1 - rho);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float squareAvg, ref float accDelta, ref float s2)
    {
        float grad = _sign * g + _wd * p;
        squareAvg = _rho * squareAvg + _crho * grad * grad;
        float delta = MathF.Sqrt(accDelta + _eps) / MathF.Sqrt(squareAvg + _eps) * grad;
        accDelta = _rho * accDelta + _crho * delta * delta;
        p -= _lr * delta;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V squareAvg, ref V accDelta, ref V s2)
    {
        var grad = Create(_sign) * g + Create(_wd) * p;
        squareAvg = Create(_rho) * squareAvg + Create(_crho) * grad * grad;
        var delta = Sqrt(accDelta + Create(_eps)) / Sqrt(squareAvg + Create(_eps)) * grad;
        accDelta = Create(_rho) * accDelta + Create(_crho) * delta * delta;
        p -= Create(_lr) * delta;
    }
}

public readonly struct AdamaxRule(float clr, double beta1, double beta2, float eps, float weightDecay, float sign) : IUpdateRule
{
    private readonly float _clr = clr, _b1 = (float)beta1, _b2 = (float)beta2, _eps = eps, _wd = weightDecay, _sign = sign;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _c1 = (float)(1 - beta1), _c2 = (float)(1 - beta2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float m, ref float u, ref float s2)
    {
        float grad = _sign * g + _wd * p;
        m += _c1 * (grad - m);
        u = MathF.Max(_b2 * u, MathF.Abs(grad) + _eps);
        p -= _clr * m / u;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V m, ref V u, ref V s2)
    {
        var grad = Create(_sign) * g + Create(_wd) * p;
        m += Create(_c1) * (grad - m);
        u = Max(Create(_b2) * u, Abs(grad) + Create(_eps));
        p -= Create(_clr) * m / u;
    }
}

/// <summary>NAdam: c1 = lr(1-μ_t)/(1-Πμ), c2 = lr·μ_{t+1}/(1-Πμ·μ_{t+1}).</summary>
/// <summary>NAdam (decay = 1 - lr·wd multiplies p first with decoupled weight decay; wd is then 0 in the gradient).</summary>
public readonly struct NAdamRule(float c1, float c2, double beta1, double beta2, float bc2, float eps, float weightDecay, float sign, float decay = 1f) : IUpdateRule
{
    private readonly float _c1 = c1, _c2 = c2, _b1 = (float)beta1, _b2 = (float)beta2, _bc2 = bc2, _eps = eps, _wd = weightDecay, _sign = sign, _decay = decay;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _cb1 = (float)(1 - beta1), _cb2 = (float)(1 - beta2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float m, ref float v, ref float s2)
    {
        p *= _decay;
        float grad = _sign * g + _wd * p;
        m += _cb1 * (grad - m);
        v = _b2 * v + _cb2 * grad * grad;
        float denom = MathF.Sqrt(v / _bc2) + _eps;
        p -= _c1 * grad / denom;
        p -= _c2 * m / denom;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V m, ref V v, ref V s2)
    {
        p *= Create(_decay);
        var grad = Create(_sign) * g + Create(_wd) * p;
        m += Create(_cb1) * (grad - m);
        v = Create(_b2) * v + Create(_cb2) * grad * grad;
        var denom = Sqrt(v / Create(_bc2)) + Create(_eps);
        p -= Create(_c1) * grad / denom;
        p -= Create(_c2) * m / denom;
    }
}

/// <summary>RAdam: rectified when ρ_t &gt; 5 (rect computed on the host), plain momentum step otherwise (decay as NAdam's).</summary>
public readonly struct RAdamRule(float lr, double beta1, double beta2, float bc1, float sqrtBc2, float rect, bool rectified, float eps, float weightDecay, float sign, float decay = 1f) : IUpdateRule
{
    private readonly float _lr = lr, _b1 = (float)beta1, _b2 = (float)beta2, _bc1 = bc1, _sqrtBc2 = sqrtBc2, _rect = rect, _eps = eps, _wd = weightDecay, _sign = sign, _decay = decay;
    // 1 - β in double, then rounded, as PyTorch passes its Python float (1 - 0.999f in float would be 0.0010000467)
    private readonly float _c1 = (float)(1 - beta1), _c2 = (float)(1 - beta2);
    private readonly int _rectified = rectified ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float m, ref float v, ref float s2)
    {
        p *= _decay;
        float grad = _sign * g + _wd * p;
        m += _c1 * (grad - m);
        v = _b2 * v + _c2 * grad * grad;
        float mHat = m / _bc1;
        if (_rectified != 0) p -= mHat * _lr * (_sqrtBc2 / (MathF.Sqrt(v) + _eps)) * _rect;
        else p -= mHat * _lr;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V m, ref V v, ref V s2)
    {
        p *= Create(_decay);
        var grad = Create(_sign) * g + Create(_wd) * p;
        m += Create(_c1) * (grad - m);
        v = Create(_b2) * v + Create(_c2) * grad * grad;
        var mHat = m / Create(_bc1);
        if (_rectified != 0) p -= mHat * Create(_lr) * (Create(_sqrtBc2) / (Sqrt(v) + Create(_eps))) * Create(_rect);
        else p -= mHat * Create(_lr);
    }
}

public readonly struct AsgdRule(float eta, float lambd, float mu, float weightDecay, float sign) : IUpdateRule
{
    private readonly float _eta = eta, _lambd = lambd, _mu = mu, _wd = weightDecay, _sign = sign;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float ax, ref float s1, ref float s2)
    {
        float grad = _sign * g + _wd * p;
        p *= 1f - _lambd * _eta;
        p -= _eta * grad;
        if (_mu != 1f) ax += (p - ax) * _mu;
        else ax = p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V ax, ref V s1, ref V s2)
    {
        var grad = Create(_sign) * g + Create(_wd) * p;
        p *= Create(1f - _lambd * _eta);
        p -= Create(_eta) * grad;
        if (_mu != 1f) ax += (p - ax) * Create(_mu);
        else ax = p;
    }
}

public readonly struct RpropRule(float etaMinus, float etaPlus, float stepMin, float stepMax, float sign) : IUpdateRule
{
    private readonly float _etaMinus = etaMinus, _etaPlus = etaPlus, _min = stepMin, _max = stepMax, _sign = sign;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref float p, float g, ref float prev, ref float stepSize, ref float s2)
    {
        float grad = _sign * g;
        float product = grad * prev;
        float factor = product > 0 ? _etaPlus : product < 0 ? _etaMinus : 1f;
        stepSize = MathF.Min(MathF.Max(stepSize * factor, _min), _max);
        if (product < 0) grad = 0;
        p -= (grad > 0 ? 1f : grad < 0 ? -1f : 0f) * stepSize;
        prev = grad;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ref V p, V g, ref V prev, ref V stepSize, ref V s2)
    {
        var grad = Create(_sign) * g;
        var product = grad * prev;
        var up = GreaterThan(product, V.Zero);
        var down = LessThan(product, V.Zero);
        var factor = ConditionalSelect(up, Create(_etaPlus), ConditionalSelect(down, Create(_etaMinus), V.One));
        stepSize = Min(Max(stepSize * factor, Create(_min)), Create(_max));
        grad = ConditionalSelect(down, V.Zero, grad);
        var sign = ConditionalSelect(GreaterThan(grad, V.Zero), V.One, ConditionalSelect(LessThan(grad, V.Zero), -V.One, V.Zero));
        p -= sign * stepSize;
        prev = grad;
    }
}
