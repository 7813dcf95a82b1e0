"""Per-group sufficient statistics, and the small-matrix algebra on them.

Everything the REML criterion, its gradient, the Satterthwaite df and HLM 7's
robust standard errors need is a handful of small cross-product matrices per
group, so after one pass over the rows every evaluation costs O(J·q³) instead
of O(N).  With W = [X y]:

* ``ZtZ[:, :, j] = Z_j'Z_j`` (q×q), ``ZtW[:, :, j] = Z_j'W_j`` (q×(p+1)),
* ``WtW[:, :, j] = W_j'W_j`` ((p+1)×(p+1)), and ``WtW_total = Σ_j W_j'W_j``,
* ``DtD``, ``Dty``: the same for the level-1 design D (each school's own OLS
  regression, which HLM 7's χ² tests use).

Only D's columns and y are summed over rows: every fixed column is a level-1
column of D times a level-2 predictor, constant within a group
(:mod:`~hlmteach.engine.levels`), and every random effect is a column of D, so
X_j'X_j, X_j'y_j and Z_j'X_j follow from D_j'D_j and D_j'y_j group by group
(``cses:sectorCatholic`` costs no pass over the rows).

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


def group_crossprod(columns: list[np.ndarray], groups: np.ndarray, J: int) -> np.ndarray:
    """``out[a, b, j] = Σ_{i in group j} c_a[i] c_b[i]`` for the given columns: one pass per pair."""
    m = len(columns)
    out = np.empty((m, m, J))
    product = np.empty(len(groups))  # one buffer for every pair: fresh memory is what a large fit pays for
    for a in range(m):
        for b in range(a, m):
            np.multiply(columns[a], columns[b], out=product)
            out[a, b] = out[b, a] = np.bincount(groups, weights=product, minlength=J)
    return out


def group_stats(design: Design) -> GroupStats:
    """One pass over the rows for D'D and D'y per group; X's and Z's cross products follow from them."""
    levels, J = design.levels, design.J
    D = levels.D
    m, p = D.shape[1], design.X.shape[1]
    cross = group_crossprod([*D.T, design.y], design.groups, J)
    DD, Dy = cross[:m, :m], cross[:m, m]
    l1 = [levels.index(c) for c in levels.level1]  # each fixed column's level-1 column of D ...
    Wj = levels.W.T  # ... and its level-2 factor per group, (p, J)
    WtW = np.empty((p + 1, p + 1, J))
    WtW[:p, :p] = DD[np.ix_(l1, l1)] * Wj[:, None, :] * Wj[None, :, :]
    WtW[:p, p] = WtW[p, :p] = Dy[l1] * Wj
    WtW[p, p] = cross[m, m]
    iz = [levels.index(z) for z in design.znames]
    ZtW = np.empty((len(iz), p + 1, J))
    ZtW[:, :p] = DD[np.ix_(iz, l1)] * Wj[None, :, :]
    ZtW[:, p] = Dy[iz]
    return GroupStats(
        n=design.n,
        p=p,
        q=len(iz),
        nj=np.bincount(design.groups, minlength=J),
        ZtZ=DD[np.ix_(iz, iz)],
        ZtW=ZtW,
        WtW=WtW,
        WtW_total=WtW.sum(axis=2),
        DtD=DD,
        Dty=Dy,
        blocks=design.blocks,
    )


def lmul(L: np.ndarray, A: np.ndarray) -> np.ndarray:
    """L @ A_j for a constant matrix L and a stack A of shape (k, b, J)."""
    return (L @ A.reshape(A.shape[0], -1)).reshape(L.shape[0], *A.shape[1:])


MANY_GROUPS = 2000  # above this, einsum beats a batched matmul of tiny matrices (which copies the stack)


def rmul(A: np.ndarray, L: np.ndarray) -> np.ndarray:
    """A_j @ L for a stack A of shape (a, k, J) and a constant matrix L."""
    if A.shape[2] > MANY_GROUPS:
        return np.einsum("akj,kb->abj", A, L)
    return (A.transpose(0, 2, 1) @ L).transpose(0, 2, 1)


def bmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A_j @ B_j for stacks (a, k, J) and (k, b, J), vectorised over groups."""
    return np.einsum("akj,kbj->abj", A, B)


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
