"""The explorers' pictures of every group's estimates: shrinkage against group size, and a caterpillar plot.

:func:`shrinkage_chart` draws, for one level-1 coefficient β_qj and every
group, its own OLS estimate (hollow) and its empirical-Bayes estimate (filled),
both as distances from the value its level-2 equation predicts, against the
group's size n_j, joined by a line: small groups are pulled harder towards
their prediction.  Below it, each group's reliability λ_qj against n_j says
why.  :func:`caterpillar_chart` ranks the groups' random effects û_qj with
their 95% intervals from the conditional variances.  Both read packed data
sets made by :func:`estimates_data` from :func:`~.schools.school_estimates`.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from ..hlm.quantities import Z95
from .charts import PANEL_WIDTH, fixed_scale, group_colour, pack, per_group, source
from .render import PALETTE

__all__ = ["caterpillar_chart", "estimates_data", "shrinkage_chart"]

SHRINKAGE_FIELDS = ["ols", "u", "reliability"]
CATERPILLAR_FIELDS = ["u", "sd"]


def estimates_data(estimates: pd.DataFrame, keys: Sequence[str] = ()) -> dict[str, list[dict]]:
    """Packed data sets from :func:`~.schools.school_estimates` rows (and setting ``keys``): per coefficient
    ``q``, ``shrinkage{q}`` and ``caterpillar{q}``.  (The charts also read ``schools``,
    :func:`~.charts.groups_data`.)

    In ``shrinkage{q}``, ``ols`` is the group's OLS estimate minus its expected
    value W_j γ̂ and ``u`` the EB estimate's distance, û_qj: both estimates as
    distances from what the level-2 equation predicts.  ``caterpillar{q}`` has
    û_qj and its conditional sd, for a random coefficient.
    """
    frame = estimates.assign(ols=estimates["ols"] - estimates["expected"])
    out = {}
    for q, rows in frame.groupby("q"):
        out[f"shrinkage{q}"] = pack(rows, [*keys, "random"], SHRINKAGE_FIELDS)
        out[f"caterpillar{q}"] = pack(rows[rows["random"]], list(keys), CATERPILLAR_FIELDS) if rows["random"].any() else []
    return out


def _flat(name: str, fields: list[str], q: int, where: str | None) -> alt.Chart:
    """The rows of coefficient ``q``, one per group, with its name, size ``n`` and colour group ``by`` looked up."""
    return per_group(source(f"{name}{q}", where).transform_flatten(fields), ["n", "by", "group"])


def shrinkage_chart(
    q: int,
    coefficient: str,
    groups: str = "groups",
    levels: Sequence[str] = (),
    y_domain: Sequence[float] | None = None,
    n_max: float | None = None,
    where: str | None = None,
) -> alt.VConcatChart:
    """OLS and EB estimates of β_qj as distances from their prediction, against n_j; then λ_qj against n_j.

    ``coefficient`` names β_qj in titles (e.g. "β0j, intercepts"); ``y_domain``
    and ``n_max`` fix the axes over settings.
    """
    base = _flat("shrinkage", SHRINKAGE_FIELDS, q, where)
    with_ols = base.transform_filter("isValid(datum.ols)")
    n = alt.X(
        "n:Q",
        title=f"Students in the {groups[:-1] if groups.endswith('s') else groups} (n_j)",
        scale=fixed_scale([0, n_max] if n_max else None),
    )
    y = alt.Y(
        "ols:Q",
        title="Distance from the prediction",
        scale=fixed_scale(y_domain),
    )
    zero = alt.Chart().mark_rule(color=PALETTE["ink"], strokeWidth=1).encode(y=alt.datum(0))
    pull = with_ols.mark_rule(color=PALETTE["grey"], strokeWidth=1, opacity=0.6).encode(x=n, y=y, y2="u:Q")
    ols = with_ols.mark_point(shape="circle", filled=False, size=22, color=PALETTE["grey"], opacity=0.9).encode(
        x="n:Q", y="ols:Q"
    )
    tooltip = [
        alt.Tooltip("n:Q", title="n_j"),
        alt.Tooltip("ols:Q", title="OLS", format=".2f"),
        alt.Tooltip("u:Q", title="EB", format=".2f"),
        alt.Tooltip("reliability:Q", title="λ_j", format=".2f"),
    ]
    eb = base.mark_point(filled=True, size=22, opacity=0.9).encode(x="n:Q", y="u:Q", color=group_colour(levels), tooltip=tooltip)
    top = alt.layer(zero, pull, ols, eb).properties(
        width=PANEL_WIDTH, height=170, title=alt.Title(f"{coefficient}: OLS (hollow) and EB (filled)", fontSize=13)
    )
    lam = with_ols.transform_filter("isValid(datum.reliability)").mark_point(filled=True, size=16, opacity=0.8)
    lam = lam.encode(
        x=n,
        y=alt.Y("reliability:Q", title="λ_j", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(tickCount=3, format=".1f")),
        color=group_colour(levels),
    )
    bottom = lam.properties(width=PANEL_WIDTH, height=70, title=alt.Title("Reliability of the OLS estimate", fontSize=13))
    return alt.vconcat(top, bottom, spacing=10).properties(
        description=f"For every {groups[:-1]}, its own OLS estimate of {coefficient} (hollow) and its empirical-Bayes estimate "
        f"(filled), as distances from the value its level-2 equation predicts, against its number of students; below, "
        "the reliability of its OLS estimate against the same axis.",
    )


def caterpillar_chart(
    q: int,
    coefficient: str,
    groups: str = "groups",
    levels: Sequence[str] = (),
    y_domain: Sequence[float] | None = None,
    count: int | None = None,
    where: str | None = None,
) -> alt.LayerChart:
    """Every group's û_qj with its 95% interval (û ± 1.96 conditional sd), ranked: a caterpillar plot."""
    base = (
        _flat("caterpillar", CATERPILLAR_FIELDS, q, where)
        .transform_window(rank="row_number()", sort=[alt.SortField("u")])
        .transform_calculate(lo=f"datum.u - {Z95} * datum.sd", hi=f"datum.u + {Z95} * datum.sd")
    )
    x = alt.X("rank:Q", title=f"{groups.capitalize()}, ranked by û", scale=fixed_scale([0, count + 1] if count else None))
    y = alt.Y("lo:Q", title=f"û{q}j with 95% interval", scale=fixed_scale(y_domain))
    zero = alt.Chart().mark_rule(color=PALETTE["ink"], strokeWidth=1).encode(y=alt.datum(0))
    bars = base.mark_rule(strokeWidth=1, opacity=0.5).encode(x=x, y=y, y2="hi:Q", color=group_colour(levels))
    tooltip = [alt.Tooltip("rank:Q", title="rank"), alt.Tooltip("u:Q", title="û", format=".2f"), alt.Tooltip("n:Q", title="n_j")]
    dots = base.mark_point(filled=True, size=10, opacity=1).encode(
        x="rank:Q", y="u:Q", color=group_colour(levels), tooltip=tooltip
    )
    return alt.layer(zero, bars, dots).properties(
        width=PANEL_WIDTH,
        height=180,
        title=alt.Title(coefficient, fontSize=13),
        description=f"Each {groups[:-1]}'s empirical-Bayes random effect for {coefficient}, ranked from lowest to highest, "
        "with a 95% interval from its conditional variance.",
    )
