"""R's printed ``summary()``, ``ranova()`` and ``anova()`` of lmerTest fits, with hlmteach's numbers.

Students compare these line by line with what R prints, so the layouts (and,
through :mod:`.rformat` and :mod:`.rprint`, R's number formatting) are copied
exactly; only the numbers come from hlmteach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..engine.syntax import deparse_lines, parse_expression
from .rformat import format_num
from .rprint import abbreviate, format_quantiles, print_anova, print_coefmat, print_matrix

if TYPE_CHECKING:
    from ..engine.fit import MixedFit

__all__ = ["anova_text", "lmer_summary", "ranova_text"]

_TITLE = {
    True: "Linear mixed model fit by REML. t-tests use Satterthwaite's method [\nlmerModLmerTest]",
    False: "Linear mixed model fit by maximum likelihood . t-tests use Satterthwaite's\n  method [lmerModLmerTest]",
}


def _criterion_block(fit: MixedFit) -> str:
    if fit.reml:
        return f"REML criterion at convergence: {format_num([round(fit.deviance, 1)], 7)[0].strip()}\n"
    values = [fit.aic, fit.bic, fit.loglik, fit.deviance]
    cells = [*format_num([round(v, 1) for v in values], 7), str(fit.nobs - fit.npar)]
    names = ["AIC", "BIC", "logLik", "deviance", "df.resid"]
    width = max(max(map(len, cells)), max(map(len, names)))
    return " ".join(n.rjust(width) for n in names) + " \n" + " ".join(c.rjust(width) for c in cells) + " \n"


def _correlations(T: np.ndarray, columns: tuple[int, ...], width: int) -> list[list[str]]:
    """lme4's ``formatVC`` correlation cells of one random term: its correlation matrix rounded to
    2 decimals and formatted jointly, the lower triangle kept, padded to ``width`` columns."""
    m = len(columns)
    sd = np.sqrt(np.diag(T)[list(columns)])
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = T[np.ix_(columns, columns)] / np.outer(sd, sd)
    cells = np.array(format_num([float(np.round(c, 2)) for c in corr.ravel()], 4, nsmall=2)).reshape(m, m)
    return [[cells[i, j] if j < i else "" for j in range(width)] for i in range(m)]


def _random_effects(fit: MixedFit) -> str:
    """The "Random effects:" table: one group of rows per random term (lme4 names further terms
    for the same grouping factor ``g.1``, ``g.2``), correlations within each term."""
    names = list(fit.design.znames)
    T = fit.tau_matrix
    sds = [*np.sqrt(np.diag(T)), fit.sigma]
    variances = format_num([s * s for s in sds], 4)
    stddevs = format_num(sds, 4)
    width = max(fit.design.blocks) - 1  # correlation columns
    rows = []
    for b, block in enumerate(fit.design.random):
        group = fit.group if b == 0 else f"{fit.group}.{b}"
        corr = _correlations(T, block.columns, width)
        for k, i in enumerate(block.columns):
            rows.append([group if k == 0 else "", names[i], variances[i], stddevs[i], *corr[k]])
    rows.append(["Residual", "", variances[-1], stddevs[-1], *[""] * width])
    columns = ["Groups", "Name", "Variance", "Std.Dev."]
    if width:
        columns += ["Corr"] + [""] * (width - 1)
    text = print_matrix([""] * len(rows), columns, rows, right=False)
    return "Random effects:\n" + text


def _fixed_effects(fit: MixedFit) -> str:
    fixed = fit.fixed
    matrix = fixed[["estimate", "se", "df", "t", "p"]].to_numpy().tolist()
    columns = ["Estimate", "Std. Error", "df", "t value", "Pr(>|t|)"]
    return "Fixed effects:\n" + print_coefmat(list(fixed.index), columns, matrix, digits=4)


def _correlation(fit: MixedFit) -> str:
    names = list(fit.design.xnames)
    p = len(names)
    if p <= 1:
        return ""
    if p > 12:
        return (
            f"\nCorrelation matrix not shown by default, as p = {p} > 12.\nUse fit.vcov for the covariance of the fixed effects\n"
        )
    cov = fit.vcov.to_numpy()
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    cells = np.array(format_num([float(np.round(c, 3)) for c in corr.ravel(order="F")], 7, nsmall=3))
    cells = cells.reshape(p, p, order="F")
    cells[~np.tri(p, p, -1, dtype=bool)] = ""
    rows = abbreviate(names, 11)[1:]
    columns = abbreviate(names, 6)[:-1]
    return "\nCorrelation of Fixed Effects:\n" + print_matrix(rows, columns, cells[1:, :-1].tolist(), right=False)


def _cat_fill(items: list[str], width: int = 80) -> str:
    """R's ``cat(..., fill = TRUE)``: items joined by spaces, a new line before an item that would
    pass the width, and a final newline."""
    out, at = "", 0
    for k, item in enumerate(items):
        if k:
            out, at = out + " ", at + 1
            if at + len(item) + 1 > width:
                out, at = out + "\n", 0
        out, at = out + item, at + len(item)
    return out + "\n"


def lmer_summary(fit: MixedFit, data_name: str = "data") -> str:
    """The text of ``summary()`` of an lmerTest fit, with hlmteach's numbers."""
    formula = deparse_lines(parse_expression(fit.formula))  # as R deparses it, in lines of 60
    parts = [
        _TITLE[fit.reml] + "\n",
        _cat_fill(["Formula:", *formula]) + _cat_fill(["   Data:", data_name]) + "\n",
        _criterion_block(fit) + "\n",
        "Scaled residuals: \n" + format_quantiles(fit.residuals / fit.sigma, 4) + "\n",
        _random_effects(fit),
        f"Number of obs: {fit.nobs}, groups:  {fit.group}, {fit.ngroups}\n",
    ]
    if len(fit.coef):
        parts += ["\n", _fixed_effects(fit), _correlation(fit)]
    if not fit.converged:
        parts.append(f"Model failed to converge: {fit.opt.message}\n")
    elif fit.singular:  # lme4 prints its optimiser's code whenever it has a message to give
        parts.append("optimizer (nloptwrap) convergence code: 0 (OK)\nboundary (singular) fit: see help('isSingular')\n")
    return "".join(parts)


def _model_line(fit: MixedFit) -> str:
    """The model as lmerTest prints it in ranova: first-order terms, the random terms, then interactions."""
    f = fit.design.formula
    first = [f.term_label(t) for t in f.terms if len(t) == 1]
    higher = [f.term_label(t) for t in f.terms if len(t) > 1]
    rhs = " + ".join([*first, *(r.text for r in f.random), *higher])
    return f"{f.response} ~ {rhs}" + ("" if f.intercept else " - 1")


def _table_text(table: pd.DataFrame, columns: dict[str, str]) -> str:
    matrix = [[None if pd.isna(v) else float(v) for v in row] for row in table[list(columns)].to_numpy(dtype=object)]
    return print_anova(list(table.index), list(columns.values()), matrix)


def ranova_text(fit: MixedFit) -> str:
    """lmerTest's printed ``ranova()`` table."""
    columns = {"npar": "npar", "loglik": "logLik", "aic": "AIC", "lrt": "LRT", "df": "Df", "p": "Pr(>Chisq)"}
    return (
        "ANOVA-like table for random-effects: Single term deletions\n\nModel:\n"
        + _model_line(fit)
        + "\n"
        + _table_text(fit.ranova(), columns)
    )


def anova_text(table: pd.DataFrame, formulas: list[str], data_name: str = "data") -> str:
    """R's printed ``anova()`` of nested models (``table`` from ``hlmteach.anova``)."""
    models = "".join(f"{name}: {formula}\n" for name, formula in zip(table.index, formulas, strict=True))
    columns = {"npar": "npar", "aic": "AIC", "bic": "BIC", "loglik": "logLik", "deviance": "deviance"}
    columns |= {"chisq": "Chisq", "df": "Df", "p": "Pr(>Chisq)"}
    return f"Data: {data_name}\nModels:\n{models}" + _table_text(table, columns)
