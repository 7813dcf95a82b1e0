"""The functions a formula may apply to columns, evaluated on parse trees (never by ``eval``).

An explicit set, with R's meaning: ``log``, ``log2``, ``log10``, ``exp``,
``sqrt``, ``abs``, ``I(...)`` with ``+ - * / ^`` inside, ``poly(x, k)`` (R's
orthogonal polynomials; ``raw = TRUE`` for plain powers) and ``scale(x)``.
Anything else is refused by :func:`check_call` with an error naming the
function.  :func:`evaluate` computes a variable's values from the data's
columns (a matrix for ``poly``), on every row of the data as R's
``model.frame`` does before it drops incomplete rows; :func:`orthogonal_polynomials`
is also R's ``contr.poly`` for ordered factors.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .syntax import Call, Name, Node, Number, deparse

__all__ = ["FUNCTIONS", "check_call", "columns_of", "evaluate", "orthogonal_polynomials"]

_ELEMENTWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "log2": np.log2,
    "log10": np.log10,
    "exp": np.exp,
    "sqrt": np.sqrt,
    "abs": np.abs,
}
FUNCTIONS = (*_ELEMENTWISE, "I", "poly", "scale")
_ARITHMETIC = {"+", "-", "*", "/", "^", "("}
_TRUE, _FALSE = {"TRUE", "T"}, {"FALSE", "F"}


def _supported() -> str:
    return ", ".join(f"{f}()" for f in FUNCTIONS)


def check_call(node: Call, where: str, error: Callable[[str], Exception]) -> None:
    """Refuse a function call that cannot be evaluated: an unknown function, wrong arguments, or
    operators other than ``+ - * / ^`` inside its arguments (``where`` names the formula part)."""
    if node.fn not in FUNCTIONS:
        raise error(
            f"function {node.fn!r} is not supported (formulas may use {_supported()}); "
            "compute the variable as a column of the data first"
        )
    if node.fn == "poly":
        _check_poly(node, error)
    elif len(node.args) != 1 or node.keys[0] is not None:
        hint = "; use log2() or log10() for other bases" if node.fn == "log" else ""
        raise error(f"{deparse(node)}: {node.fn}() takes exactly one argument here{hint}")
    _check_argument(node.args[0], where, error)


def _check_poly(node: Call, error: Callable[[str], Exception]) -> None:
    text = deparse(node)
    positional = [a for a, k in zip(node.args, node.keys, strict=True) if k is None]
    named = {k: a for a, k in zip(node.args, node.keys, strict=True) if k is not None}
    if "degree" in named:
        positional.insert(1, named.pop("degree"))
    raw = named.pop("raw", None)
    if named or len(positional) != 2:
        raise error(f"{text}: poly() takes (x, degree) and optionally raw = TRUE here")
    degree = positional[1]
    if not (isinstance(degree, Number) and degree.value == int(degree.value) and degree.value >= 1):
        raise error(f"{text}: the degree of poly() must be a whole number of at least 1")
    if raw is not None and not (isinstance(raw, Name) and raw.name in _TRUE | _FALSE):
        raise error(f"{text}: raw = must be TRUE or FALSE")


def _check_argument(node: Node, where: str, error: Callable[[str], Exception]) -> None:
    if not isinstance(node, Call):
        return
    if node.fn == "poly":
        raise error(f"{deparse(node)} gives several columns and cannot be used inside another expression in {where}")
    if node.fn in _ARITHMETIC:
        for arg in node.args:
            _check_argument(arg, where, error)
    elif not node.fn[:1].isalpha():
        raise error(f"operator {node.fn!r} cannot be used inside a function's arguments in {where}")
    else:
        check_call(node, where, error)


def columns_of(node: Node) -> list[str]:
    """The data columns an expression reads, in order of appearance."""
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Number):
        return []
    if node.fn == "poly":
        return columns_of(node.args[0])
    out: list[str] = []
    for arg in node.args:
        out += [c for c in columns_of(arg) if c not in out]
    return out


def _poly_arguments(node: Call) -> tuple[Node, int, bool]:
    named = dict(zip(node.keys, node.args, strict=True))
    positional = [a for a, k in zip(node.args, node.keys, strict=True) if k is None]
    degree = named.get("degree", positional[1] if len(positional) > 1 else None)
    raw = named.get("raw")
    return positional[0], int(degree.value), isinstance(raw, Name) and raw.name in _TRUE


def evaluate(node: Node, column: Callable[[str], np.ndarray]) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """Values of a (checked) expression on every row: a vector, or for ``poly`` a matrix with its
    column suffixes (``"1"``, ``"2"``, …).  ``column(name)`` returns a numeric data column
    (NaN where missing)."""
    if isinstance(node, Call) and node.fn == "poly":
        x, degree, raw = _poly_arguments(node)
        values = _arithmetic(x, column)
        text = deparse(node)
        if np.isnan(values).any():
            raise ValueError(f"{text}: missing values are not allowed in poly() (R refuses them too); drop those rows first")
        if raw:
            return values[:, None] ** np.arange(1, degree + 1), tuple(str(k) for k in range(1, degree + 1))
        if degree >= len(np.unique(values)):
            raise ValueError(f"{text}: the degree must be less than the number of distinct values of {deparse(x)}")
        return orthogonal_polynomials(values, degree), tuple(str(k) for k in range(1, degree + 1))
    return _arithmetic(node, column), None


def _arithmetic(node: Node, column: Callable[[str], np.ndarray]) -> np.ndarray | float:
    if isinstance(node, Name):
        return column(node.name)
    if isinstance(node, Number):
        return node.value
    args = [_arithmetic(a, column) for a in node.args]
    with np.errstate(all="ignore"):  # non-finite results are reported by the caller, naming the expression
        if node.fn == "(" or node.fn == "I" or (node.fn == "+" and len(args) == 1):
            return args[0]
        if node.fn == "-" and len(args) == 1:
            return -args[0]
        if node.fn in _ELEMENTWISE:
            return _ELEMENTWISE[node.fn](args[0])
        if node.fn == "scale":
            return _scale(args[0], deparse(node))
        a, b = args
        return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power}[node.fn](a, b)


def _scale(x: np.ndarray | float, text: str) -> np.ndarray:
    """R's ``scale(x)``: centred by the mean and divided by the SD of the non-missing values."""
    x = np.asarray(x, float)
    ok = ~np.isnan(x)
    if x.ndim == 0 or ok.sum() < 2 or np.ptp(x[ok]) == 0:
        raise ValueError(f"{text}: the values are constant, so they cannot be scaled (their SD is zero)")
    mean = x[ok].mean()
    return (x - mean) / np.sqrt(((x[ok] - mean) ** 2).sum() / (ok.sum() - 1))


def orthogonal_polynomials(x: np.ndarray, degree: int) -> np.ndarray:
    """R's ``poly(x, degree)``: orthonormal polynomials in x of degree 1..degree (columns).

    The QR decomposition of [1, x − x̄, (x − x̄)², …]; each column of Q is signed
    to correlate positively with its power (R's ``qr.qy(QR, diag(diag(R)))``),
    so the result does not depend on the LAPACK routine's sign choices.
    ``orthogonal_polynomials(np.arange(1, k + 1), k - 1)`` is ``contr.poly(k)``.
    """
    centred = np.asarray(x, float) - np.mean(x)
    Q, R = np.linalg.qr(centred[:, None] ** np.arange(degree + 1))
    Z = Q * np.sign(np.diag(R))
    return Z[:, 1:]
