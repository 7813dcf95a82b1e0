"""Per-group sufficient statistics, and the small-matrix algebra on them.

Everything the REML criterion, its gradient, the Satterthwaite df and HLM 7's
robust standard errors need is a handful of small cross-product matrices per
group, so after one pass over the rows every evaluation costs O(J·q³) instead
of O(N).  With W = [X y]:

* ``ZtZ[:, :, j] = Z_j'Z_j`` (q×q), ``ZtW[:, :, j] = Z_j'W_j`` (q×(p+1)),
* ``WtW[:, :, j] = W_j'W_j`` ((p+1)×(p+1)), and ``WtW_total = Σ_j W_j'W_j``,
* ``DtD``, ``Dty``: the same for the level-1 design D (each school's own OLS
  regression, which HLM 7's χ² tests use).

Columns shared by X, Z and D (the intercept, a slope's predictor) are
accumulated once.

Stacks of per-group matrices are stored with the group index *last*
(shape ``(rows, cols, J)``), so that a product over the tiny q dimension is a
few vectorised operations over groups rather than J separate matrix calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .design import Design

__all__ = [
    "GroupStats",
    "bmul",
    "group_crossprod",
    "group_stats",
    "inv_logdet",
    "lmul",
    "rmul",
    "sym_inverse",
    "tsum",
    "well_conditioned",
]


@dataclass(frozen=True)
class GroupStats:
    """Per-group cross products (see the module docstring); the group index is last."""

    n: int
    p: int
    q: int
    nj: np.ndarray  # (J,) rows per group
    ZtZ: np.ndarray  # (q, q, J)
    ZtW: np.ndarray  # (q, p+1, J)
    WtW: np.ndarray  # (p+1, p+1, J)
    WtW_total: np.ndarray  # (p+1, p+1)
    DtD: np.ndarray  # (m, m, J), m level-1 coefficients
    Dty: np.ndarray  # (m, J)
    blocks: tuple[int, ...] = ()  # sizes of τ's diagonal blocks, one per random term (() : one block)

    @property
    def J(self) -> int:
        return len(self.nj)


def group_crossprod(A: np.ndarray, B: np.ndarray, groups: np.ndarray, J: int, symmetric: bool = False) -> np.ndarray:
    """``out[:, :, j] = A_j' B_j`` for every group j, one pass per column pair."""
    a, b = A.shape[1], B.shape[1]
    out = np.empty((a, b, J))
    for i in range(a):
        for k in range(i if symmetric else 0, b):
            out[i, k] = np.bincount(groups, weights=A[:, i] * B[:, k], minlength=J)
            if symmetric:
                out[k, i] = out[i, k]
    return out


def _shared(names: tuple[str, ...], matrix: np.ndarray, columns: list[np.ndarray], named: list[str]) -> list[int]:
    """Positions in ``columns`` of each column of ``matrix``, appending those not already there.

    A column is shared when it has the same name *and* the same values (R may give two different
    columns one name: a dummy ``f1`` of a factor ``f`` beside a numeric ``f1``)."""
    out = []
    for name, col in zip(names, matrix.T, strict=True):
        match = next((k for k, nm in enumerate(named) if nm == name and np.array_equal(columns[k], col)), None)
        if match is None:
            columns.append(col)
            named.append(name)
            match = len(columns) - 1
        out.append(match)
    return out


def group_stats(design: Design) -> GroupStats:
    """One pass over the rows: the per-group cross products of Z, W = [X y] and D."""
    columns: list[np.ndarray] = [*design.X.T, design.y]
    named = [*design.xnames, "<y>"]
    iw = list(range(len(columns)))
    iz = _shared(design.znames, design.Z, columns, named)
    il = _shared(design.levels.coefficients, design.levels.D, columns, named)
    A = np.column_stack(columns)
    cross = group_crossprod(A, A, design.groups, design.J, symmetric=True)
    WtW = cross[np.ix_(iw, iw)]
    return GroupStats(
        n=design.n,
        p=design.X.shape[1],
        q=design.Z.shape[1],
        nj=np.bincount(design.groups, minlength=design.J),
        ZtZ=cross[np.ix_(iz, iz)],
        ZtW=cross[np.ix_(iz, iw)],
        WtW=WtW,
        WtW_total=WtW.sum(axis=2),
        DtD=cross[np.ix_(il, il)],
        Dty=cross[il, iw[-1]],
        blocks=design.blocks,
    )


def lmul(L: np.ndarray, A: np.ndarray) -> np.ndarray:
    """L @ A_j for a constant matrix L and a stack A of shape (k, b, J)."""
    return (L @ A.reshape(A.shape[0], -1)).reshape(L.shape[0], *A.shape[1:])


def rmul(A: np.ndarray, L: np.ndarray) -> np.ndarray:
    """A_j @ L for a stack A of shape (a, k, J) and a constant matrix L."""
    return (A.transpose(0, 2, 1) @ L).transpose(0, 2, 1)


def bmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A_j @ B_j for stacks (a, k, J) and (k, b, J): k vectorised products over groups."""
    out = A[:, 0, None, :] * B[None, 0, :, :]
    for k in range(1, A.shape[1]):
        out += A[:, k, None, :] * B[None, k, :, :]
    return out


def tsum(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Σ_j A_j' B_j for stacks (a, i, J) and (a, k, J)."""
    out = A[0] @ B[0].T
    for a in range(1, A.shape[0]):
        out += A[a] @ B[a].T
    return out


def well_conditioned(M: np.ndarray, limit: float) -> np.ndarray:
    """Which matrices of a stack (J, m, m) of symmetric PSD matrices have condition number below ``limit``."""
    m = M.shape[-1]
    if m == 1:
        return M[:, 0, 0] > 0
    if m == 2:
        a, b, d = M[:, 0, 0], M[:, 0, 1], M[:, 1, 1]
        half = np.sqrt((a - d) ** 2 / 4 + b * b)
        low, high = (a + d) / 2 - half, (a + d) / 2 + half
        return low * limit > high
    return np.linalg.cond(M) < limit


def sym_inverse(M: np.ndarray) -> np.ndarray:
    """Inverses of a stack (m, m, J) of well-conditioned symmetric matrices (closed forms for m ≤ 2)."""
    m = M.shape[0]
    if m == 1:
        return 1.0 / M
    if m == 2:
        a, b, d = M[0, 0], M[0, 1], M[1, 1]
        return np.array([[d, -b], [-b, a]]) / (a * d - b * b)
    return np.moveaxis(np.linalg.inv(np.moveaxis(M, 2, 0)), 0, 2)


def inv_logdet(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverses and log-determinants of a stack (q, q, J) of matrices M_j ⪰ I.

    Closed forms for q = 1 and 2 (numerically safe because every M_j ⪰ I).
    """
    q = M.shape[0]
    if q == 1:
        return 1.0 / M, np.log(M[0, 0])
    if q == 2:
        a, b, d = M[0, 0], M[0, 1], M[1, 1]
        det = a * d - b * b
        inv = np.array([[d, -b], [-b, a]]) / det
        return inv, np.log(det)
    Mj = np.moveaxis(M, 2, 0)
    L = np.linalg.cholesky(Mj)
    return np.moveaxis(np.linalg.inv(Mj), 0, 2), 2 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
