"""Reproduce R's formatting of numbers, character for character.

lme4/lmerTest's ``summary()`` and ``ranova()`` output is built from a handful
of base-R routines: ``format()`` (C ``formatReal``), ``round()`` (C
``fround``), ``zapsmall()``, ``format.pval()``, ``printCoefmat()``,
``print.default()`` of named vectors and character matrices, ``quantile()``
and ``abbreviate()``.  This module ports the number routines (R 4.2 on
x86-64 Linux); ``rprint`` ports the table printers built on them, so that our
text output can be compared with R's line by line.

Conventions: a missing value (R's ``NA``) is ``None`` or ``float("nan")``; R's
distinction between ``NA`` and ``NaN`` is not kept (both print as ``NA``).
Output width is R's default ``getOption("width")`` of 80.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

Number = float | int | None

DBL_EPSILON = 2.220446049250313e-16
_M_LOG10_2 = 0.301029995663981195
_KP_MAX = 27  # 10^27 is the largest power of ten exact in an 80-bit long double


def _tbl(k: int) -> np.longdouble:
    """10**k as the exact long double of R's ``tbl[]`` (0 <= k <= 27)."""
    out = np.longdouble(1)
    for _ in range(k):
        out = out * np.longdouble(10)
    return out


_TBL = [_tbl(k) for k in range(_KP_MAX + 1)]


def as_floats(values: Sequence[Number]) -> list[float]:
    """Convert to floats, mapping ``None`` (NA) to NaN."""
    return [math.nan if v is None else float(v) for v in values]


# ---------------------------------------------------------------- round ----


def _pow_di(x: float, n: int) -> float:
    """R's ``R_pow_di``: x**n by repeated squaring (same rounding as R)."""
    xn = 1.0
    if n != 0:
        neg, n = n < 0, abs(n)
        while True:
            if n & 1:
                xn *= x
            n >>= 1
            if not n:
                break
            x *= x
        if neg:
            xn = 1.0 / xn
    return xn


def r_round(x: float, digits: float = 0.0) -> float:
    """R's ``round(x, digits)`` (C ``fround``, R >= 4.0.0).

    ``digits`` may be fractional: R uses ``floor(digits + 0.5)`` decimals, so
    ``r_round(0.0241349, 4.504) == 0.02413``.  Of the two candidates
    (rounded down / up at that decimal) the one nearer to ``x`` is returned,
    ties going to the even last digit -- not ``x * 10**d`` arithmetic.
    """
    if math.isnan(x) or math.isnan(digits):
        return x + digits
    if math.isinf(x) or digits > 308 + 15 or x == 0.0:
        return x
    if digits < -308:
        return 0.0
    if digits == 0.0:
        return float(np.rint(x))
    dig = math.floor(digits + 0.5)
    sgn = -1.0 if x < 0 else 1.0
    x = abs(x)
    if _M_LOG10_2 * (0.5 + (math.frexp(x)[1] - 1)) + dig > 15:
        return sgn * x
    if dig <= 308:
        pow10 = _pow_di(10.0, dig)
        x10 = x * pow10
        i10 = float(math.floor(x10))
        xd, xu = i10 / pow10, float(math.ceil(x10)) / pow10
    else:  # |x| ~ 1e-305: scale in two steps to avoid overflow
        p10, pow10 = _pow_di(10.0, dig - 308), _pow_di(10.0, 308)
        x10 = (x * pow10) * p10
        i10 = float(math.floor(x10))
        xd, xu = i10 / pow10 / p10, float(math.ceil(x10)) / pow10 / p10
    du, dd = xu - x, x - xd
    return sgn * (xu if du < dd or (math.fmod(i10, 2.0) == 1 and du == dd) else xd)


def zapsmall(values: Sequence[Number], digits: int = 7) -> list[float]:
    """R's ``zapsmall(x, digits)``: ``round(x, digits - log10(max|x|))``.

    The rounding digits are not an integer; ``r_round`` rounds them the way R
    does.  NA stays NaN.
    """
    xs = as_floats(values)
    finite = [abs(v) for v in xs if not math.isnan(v)]
    if not finite:
        return xs
    mx = max(finite)
    dig = max(0.0, digits - math.log10(mx)) if mx > 0 else float(digits)
    return [r_round(v, dig) for v in xs]


# --------------------------------------------------------------- format ----


def _scientific(x: float, digits: int) -> tuple[int, int, int, bool]:
    """C ``scientific()``: (neg, kpower, nsig, roundingwidens) of one finite x.

    |x| rounded to ``digits`` significant digits is alpha * 10^kpower with
    1 <= alpha < 10; nsig counts its digits once trailing zeros are dropped.
    Uses long double scaling exactly as R does on x86-64.
    """
    if x == 0.0:
        return 0, 0, 1, False
    neg, r = (1, -x) if x < 0 else (0, x)
    if digits >= 16:  # R formats via sprintf for so many digits
        buff = f"{r:#.{digits - 1}e}"
        kpower = int(buff[digits + 2 :])
        i = digits
        while i >= 2 and buff[i] == "0":
            i -= 1
        return neg, kpower, i, False
    kp = math.floor(math.log10(r)) - digits + 1
    r_prec = np.longdouble(r)
    if abs(kp) <= _KP_MAX:
        if kp > 0:
            r_prec = r_prec / _TBL[kp]
        elif kp < 0:
            r_prec = r_prec * _TBL[-kp]
    else:
        r_prec = r_prec / np.power(np.longdouble(10), np.longdouble(kp))
    if r_prec < _TBL[digits - 1]:
        r_prec = r_prec * np.longdouble(10)
        kp -= 1
    alpha = float(np.rint(r_prec))
    nsig = digits
    for _ in range(digits):
        alpha /= 10.0
        if alpha != math.floor(alpha):
            break
        nsig -= 1
    if nsig == 0:
        nsig, kp = 1, kp + 1
    kpower = kp + digits - 1
    rgt = min(max(digits - kpower, 0), _KP_MAX)
    fuzz = 0.5 / float(_TBL[rgt])
    widens = 0 < kpower <= _KP_MAX and np.longdouble(r) < _TBL[kpower] - np.longdouble(fuzz)
    return neg, kpower, nsig, bool(widens)


def format_info(xs: Sequence[float], digits: int, nsmall: int = 0) -> tuple[int, int, int]:
    """C ``formatReal``: common (width, decimals, exponent digits) for xs.

    Fixed notation is used unless it would be wider than scientific
    (``scipen = 0``); ``e`` is 0 for fixed, else 1 or 2 (exponent digits - 1).
    """
    neg = 0
    mxl = rgt = mxsl = mxns = -(10**9)
    mnl = 10**9
    nonfinite_width = 0  # "NA" needs 2 characters, "Inf" 3, "-Inf" 4
    for x in xs:
        if not math.isfinite(x):
            nonfinite_width = max(nonfinite_width, 2 if math.isnan(x) else 3 if x > 0 else 4)
            continue
        neg_i, kpower, nsig, widens = _scientific(x, digits)
        left = kpower + 1 - widens
        sleft = neg_i + (1 if left <= 0 else left)
        rgt, mxl, mnl = max(rgt, nsig - left), max(mxl, left), min(mnl, left)
        mxsl, mxns, neg = max(mxsl, sleft), max(mxns, nsig), neg | neg_i
    w = d = e = 0
    if mxns > 0:
        if mxl < 0:
            mxsl = 1 + neg
        rgt = max(rgt, 0)
        w_fixed = mxsl + rgt + (rgt != 0)
        e = 2 if mxl > 100 or mnl <= -99 else 1
        d = mxns - 1
        w = neg + (d > 0) + d + 4 + e
        if w_fixed <= w:
            rgt = max(rgt, nsmall)
            e, d, w = 0, rgt, mxsl + rgt + (rgt != 0)
    return max(w, nonfinite_width), d, e


def encode_real(x: float, w: int, d: int, e: int) -> str:
    """C ``EncodeReal0``: one number in a field of width w (NA/Inf spelt out)."""
    if math.isnan(x):
        return "NA".rjust(w)
    if math.isinf(x):
        return ("Inf" if x > 0 else "-Inf").rjust(w)
    x = x + 0.0  # drop the sign of -0, as R does
    if e:
        return f"{x:#{w}.{d}e}" if d else f"{x:{w}.{d}e}"
    return f"{x:{w}.{d}f}"


def format_num(values: Sequence[Number], digits: int = 7, nsmall: int = 0) -> list[str]:
    """R's ``format(x, digits=digits, nsmall=nsmall)`` for a numeric vector.

    All elements share one notation, one number of decimals and one width
    (right-aligned): enough decimals that every element shows at least
    ``digits`` significant digits (fewer if trailing zeros), scientific when
    that is narrower (e.g. ``"1.85e-09"``).  NA gives ``"NA"``.
    """
    xs = as_floats(values)
    w, d, e = format_info(xs, digits, nsmall)
    return [encode_real(x, w, d, e) for x in xs]


def format_pval(pvalues: Sequence[Number], digits: int = 5, eps: float = DBL_EPSILON, na_form: str = "NA") -> list[str]:
    """R's ``format.pval(pv, digits, eps)`` (R 4.2 version).

    p-values below ``eps`` print as ``"< 2e-16"`` (``"<2e-16"`` when the other
    entries are at most 6 characters wide and one digit is shown); the rest
    are formatted jointly in two groups, >= 1e-4-ish fixed and smaller ones.
    """
    pv = as_floats(pvalues)
    out = [na_form] * len(pv)
    idx = [i for i, p in enumerate(pv) if not math.isnan(p)]
    small = [i for i in idx if pv[i] < eps]
    rest = [i for i in idx if pv[i] >= eps]
    if rest:
        expo = {i: math.floor(math.log10(pv[i] if pv[i] > 0 else 1e-50)) for i in rest}
        fixp = [i for i in rest if expo[i] >= -3 or (expo[i] == -4 and digits > 1)]
        for group in (fixp, [i for i in rest if i not in fixp]):
            for i, s in zip(group, format_num([pv[i] for i in group], digits), strict=True):
                out[i] = s
    if small:
        dig = max(1, digits - 2)
        if rest:
            nc = max(len(out[i]) for i in rest)
            if dig > 1 and dig + 6 > nc:
                dig = max(1, nc - 7)
            sep = "" if dig == 1 and nc <= 6 else " "
        else:
            sep = "" if dig == 1 else " "
        for i in small:
            out[i] = "<" + sep + format_num([eps], dig)[0]
    return out


def r_quantile(values: Sequence[Number], probs: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0)) -> list[float]:
    """R's ``quantile(x, probs, type = 7, na.rm = TRUE)`` with R's arithmetic.

    Same definition as numpy's default "linear" method, but interpolating as
    ``(1 - h) * x[lo] + h * x[hi]`` like R so results agree to the last bit.
    """
    xs = sorted(v for v in as_floats(values) if not math.isnan(v))
    n = len(xs)
    out = []
    for p in probs:
        index = 1 + max(n - 1, 0) * p
        lo, hi = math.floor(index), math.ceil(index)
        q = xs[lo - 1]
        if index > lo and xs[hi - 1] != q:
            h = index - lo
            q = (1 - h) * q + h * xs[hi - 1]
        out.append(q)
    return out
