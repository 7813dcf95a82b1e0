"""The explorers' tables as HTML: HLM 7's and lme4's estimates, copyable and read by screen readers.

One function renders them for both front ends: the static explorer
precomputes :func:`tables_html` for every setting and swaps it in as the
controls change; the live explorer shows it in its tables tab.  So the two
show the same HTML.  Each table has a caption, column headers (``th
scope="col"``), a row header per estimate (``th scope="row"``) and, in HLM 7's
table of fixed effects, a header row per level-2 equation.  Numbers are
right-aligned by the book's stylesheet (``_static/explorer.css``).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import pandas as pd

from .results import Result

__all__ = ["TABLE_LAYOUTS", "Column", "header_html", "table_html", "tables_html"]


@dataclass(frozen=True)
class Column:
    """A table column: the field of the results table it prints and its header."""

    field: str
    header: str


TABLE_LAYOUTS: dict[str, tuple[str, tuple[Column, ...]]] = {
    "hlm_fixed": (
        "HLM 7: final estimation of fixed effects (with robust standard errors)",
        (
            Column("label", "Fixed effect"),
            Column("estimate_text", "Coefficient"),
            Column("se_text", "Standard error"),
            Column("t_text", "t-ratio"),
            Column("df_text", "Approx. df"),
            Column("p_text", "p-value"),
        ),
    ),
    "hlm_random": (
        "HLM 7: final estimation of variance components",
        (
            Column("label", "Random effect"),
            Column("sd_text", "Standard deviation"),
            Column("variance_text", "Variance component"),
            Column("df_text", "df"),
            Column("chi2_text", "χ²"),
            Column("p_text", "p-value"),
            Column("reliability_text", "Reliability"),
        ),
    ),
    "lme4_fixed": (
        "lme4/lmerTest: fixed effects (Satterthwaite df)",
        (
            Column("label", "Term"),
            Column("estimate_text", "Estimate"),
            Column("se_text", "Std. Error"),
            Column("df_text", "df"),
            Column("t_text", "t value"),
            Column("p_text", "Pr(>|t|)"),
        ),
    ),
    "lme4_random": (
        "lme4: random effects (REML)",
        (
            Column("group", "Groups"),
            Column("label", "Name"),
            Column("variance_text", "Variance"),
            Column("sd_text", "Std.Dev."),
            Column("corr_text", "Corr"),
        ),
    ),
}


TEXT_FIELDS = ("label", "group")  # columns of names (left-aligned); the others hold numbers


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else escape(str(value))


def table_html(name: str, frame: pd.DataFrame) -> str:
    """One of :data:`TABLE_LAYOUTS` as an HTML ``<table>``; ``frame`` is the results table of that name."""
    title, columns = TABLE_LAYOUTS[name]
    head = "".join(f'<th scope="col">{escape(c.header)}</th>' for c in columns)
    rows = []
    present = [c.field for c in columns if c.field in frame.columns]
    bold = frame["bold"].tolist() if "bold" in frame.columns else [False] * len(frame)
    values = zip(bold, *(frame[f].tolist() for f in present), strict=True)
    for is_heading, *cells_of_row in values:
        record = dict(zip(present, cells_of_row, strict=True))
        if is_heading:  # an equation's heading row (HLM 7's "For INTRCPT1, β0")
            label = escape(record["label"])
            rows.append(f'<tr class="hlmteach-rowgroup"><th scope="rowgroup" colspan="{len(columns)}">{label}</th></tr>')
            continue
        cells = []
        for i, column in enumerate(columns):
            text = _cell(record.get(column.field))
            if i == 0 and text:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f'<td class="hlmteach-text">{text}</td>' if column.field in TEXT_FIELDS else f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="hlmteach-table"><caption>{escape(title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def header_html(result: Result) -> str:
    """The model's lme4 formula, its deviance, and any warning about the fit."""
    header = result.header.iloc[0]
    notes = f'<p class="hlmteach-warning">{escape(header["notes"])}</p>' if header["notes"] else ""
    return (
        f'<p class="hlmteach-formula"><span>lme4 formula:</span> <code>{escape(header["lme4_formula"])}</code></p>'
        f'<p class="hlmteach-deviance">{escape(header["deviance_text"])}</p>{notes}'
    )


def tables_html(result: Result) -> str:
    """HLM 7's and lme4's tables of ``result``, each in a scroll box of its own (so a page never scrolls sideways)."""
    boxes = [
        f'<div class="hlmteach-table-box" role="region" tabindex="0" aria-label="{escape(TABLE_LAYOUTS[name][0])}">'
        f"{table_html(name, getattr(result, name))}</div>"
        for name in TABLE_LAYOUTS
    ]
    return f'<div class="hlmteach-tables">{"".join(boxes)}</div>'
