"""Figures a careful analyst looks at: residual checks of a fit, and the REML and ML criteria near their optimum.

Each returns a :class:`PanelFigure`: a few charts of at most
:data:`~hlmteach.explore.charts.PANEL_WIDTH` pixels and a text alternative
with the figure's numbers (:attr:`PanelFigure.numbers`, for a page's prose).
In the book the charts sit side by side where they fit and stack on a phone;
elsewhere they show as one chart through the active Altair renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from scipy import special, stats

from ..engine.deviance import ProfiledDeviance
from ..hlm.fit import Fit
from ..hlm.quantities import Z95
from . import charts
from .page import chart_html
from .render import PALETTE, RENDERER_NAME

__all__ = ["PanelFigure", "criterion_profile", "residual_checks"]

QQ_POINTS = 400  # ordered level-1 residuals drawn in the normal-quantile plot (evenly spaced in rank)


@dataclass(frozen=True)
class PanelFigure:
    """Charts shown together, their text alternative, and the numbers it quotes (for a page's prose)."""

    title: str
    panels: tuple[alt.TopLevelMixin, ...]
    text: str
    numbers: dict[str, float] = field(default_factory=dict)

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> Any:
        if alt.renderers.active == RENDERER_NAME:
            inner = "".join(f'<div class="hlmteach-panel">{chart_html(charts.spec(p))}</div>' for p in self.panels)
            html = (
                f'<figure class="hlmteach-figure"><div class="hlmteach-panels">{inner}</div>'
                f'<figcaption class="hlmteach-caption"><strong>{escape(self.title)}.</strong> {escape(self.text)}</figcaption>'
                "</figure>"
            )
            return {"text/html": html, "text/plain": f"{self.title}. {self.text}"}
        return alt.renderers.get()(charts.spec(alt.vconcat(*self.panels).properties(title=self.title, description=self.text)))


def _qq(values: np.ndarray, points: int | None = None) -> pd.DataFrame:
    """Standardised ordered values against standard normal quantiles at (i − ½)/n (``points`` of them, evenly in rank)."""
    z = np.sort((values - values.mean()) / values.std(ddof=1))
    n = len(z)
    ranks = np.unique(np.linspace(0, n - 1, points).round().astype(int)) if points and points < n else np.arange(n)
    return pd.DataFrame({"theoretical": special.ndtri((ranks + 0.5) / n), "observed": z[ranks]})


def _qq_chart(frame: pd.DataFrame, title: str, colour: str, description: str) -> alt.LayerChart:
    low, high = float(min(frame.min())), float(max(frame.max()))
    line = alt.Chart(pd.DataFrame({"theoretical": [low, high], "observed": [low, high]})).mark_line(
        color=PALETTE["grey"], strokeDash=[4, 3], strokeWidth=1.5
    )
    axes = {
        "x": alt.X("theoretical:Q", title="Normal quantile (SDs)", scale=alt.Scale(domain=[low, high], nice=False)),
        "y": alt.Y("observed:Q", title="Standardised residual (SDs)", scale=alt.Scale(domain=[low, high], nice=False)),
    }
    dots = alt.Chart(frame).mark_circle(size=14, opacity=0.7, color=colour).encode(**axes)
    return alt.layer(line.encode(**axes), dots).properties(
        width=charts.PANEL_WIDTH, height=charts.PANEL_WIDTH - 40, title=title, description=description
    )


def residual_checks(fit: Fit, outcome: str | None = None) -> PanelFigure:
    """Level-1 and EB residuals against normal quantiles, and level-1 residuals against fitted values.

    ``outcome`` names the outcome's units in axis titles (default: its column
    name in the fit's formula).  If the model holds, each normal-quantile plot follows its dashed diagonal,
    and the residuals scatter evenly around zero at every fitted value (the
    line through the means of ten bins of fitted values stays flat).
    """
    outcome = outcome or fit.formula.split("~")[0].strip()
    residuals, fitted = fit.residuals, fit.fitted
    sigma = fit.sigma
    u = fit.ranef()
    numbers = {
        "beyond": float(np.mean(np.abs(residuals) > Z95 * sigma)),
        "skew_level1": float(stats.skew(residuals)),
        "n": len(residuals),
    }
    said = (
        f"Normal-quantile plot of {QQ_POINTS} of the {numbers['n']} ordered level-1 residuals, standardised, against a "
        f"dashed diagonal; skewness {numbers['skew_level1']:.2f}, {numbers['beyond']:.1%} beyond ±1.96σ̂."
    )
    panels = [_qq_chart(_qq(residuals, QQ_POINTS), "Level-1 residuals r_ij", PALETTE["purple"], said)]
    for q, name in enumerate(u.columns):
        values = u[name].to_numpy()
        what = "intercept" if q == 0 else "slope"
        numbers[f"skew_u{q}"] = float(stats.skew(values))
        said = (
            f"Normal-quantile plot of the {len(values)} empirical-Bayes {what} residuals û{q}j, standardised, against a "
            f"dashed diagonal; skewness {numbers[f'skew_u{q}']:.2f}."
        )
        panels.append(_qq_chart(_qq(values), f"EB {what} residuals û{q}j", PALETTE["green"], said))
    bins = pd.qcut(fitted, 10, labels=False)
    means = pd.DataFrame({"fitted": fitted, "residual": residuals}).groupby(bins).mean()
    numbers["bin_low"], numbers["bin_high"] = float(means["residual"].min()), float(means["residual"].max())
    numbers["outcome_max"] = float(fit.design.y.max())
    cloud = pd.DataFrame({"fitted": fitted.round(2), "residual": residuals.round(2)})
    x = alt.X("fitted:Q", title=f"Fitted value ({outcome})", scale=alt.Scale(zero=False))
    y = alt.Y("residual:Q", title=f"Level-1 residual ({outcome})")
    scatter = alt.Chart(cloud).mark_circle(size=5, opacity=0.25, color=PALETTE["grey"]).encode(x=x, y=y)
    trend = alt.Chart(means).mark_line(color=PALETTE["ink"], point=alt.OverlayMarkDef(color=PALETTE["ink"]), strokeWidth=2)
    trend = trend.encode(x="fitted:Q", y="residual:Q")
    zero = alt.Chart().mark_rule(color=PALETTE["ink"], strokeDash=[4, 3]).encode(y=alt.datum(0))
    said = (
        f"Scatter plot of the {numbers['n']} level-1 residuals against the fitted values, with a dashed line at zero and "
        f"the means of ten bins of fitted values, from {numbers['bin_low']:.2f} to {numbers['bin_high']:.2f}."
    )
    panels.append(
        alt.layer(scatter, zero, trend).properties(
            width=charts.PANEL_WIDTH, height=200, title="Residuals against fitted values", description=said
        )
    )
    text = (
        f"Normal-quantile plots of the level-1 residuals ({QQ_POINTS} of the {numbers['n']} ordered residuals, evenly "
        f"spaced in rank; skewness {numbers['skew_level1']:.2f}; {numbers['beyond']:.1%} lie beyond ±1.96σ̂, against 5% "
        "for a normal distribution) and of the empirical-Bayes residuals of each random effect (skewness "
        + ", ".join(f"{numbers[f'skew_u{q}']:.2f} for û{q}j" for q in range(len(u.columns)))
        + "), each against a dashed diagonal; then the level-1 residuals against the fitted values, with the means of "
        f"ten bins of fitted values, which lie between {numbers['bin_low']:.2f} and {numbers['bin_high']:.2f}. "
        f"The scores cannot exceed {numbers['outcome_max']:.2f}, so at high fitted values the residuals are cut off along a "
        "diagonal edge."
    )
    return PanelFigure("Residual checks", tuple(panels), text, numbers)


def _profile(criterion: ProfiledDeviance, thetas: np.ndarray, label: str) -> pd.DataFrame:
    evs = [criterion.evaluate(np.array([t])) for t in thetas]
    deviance = np.array([e.deviance for e in evs])
    return pd.DataFrame(
        {"tau00": [t * t * e.sigma2 for t, e in zip(thetas, evs, strict=True)], "deviance": deviance, "criterion": label}
    )


def criterion_profile(fit: Fit, outcome: str | None = None) -> PanelFigure:
    """The REML and ML criteria of a random-intercept model against τ00, each above its own minimum.

    ``outcome`` names the outcome's units in the axis title (default: its
    column name in the fit's formula).  The first panel spans the estimate ± half of it; the second zooms in on
    the bottom, where the two minima (ML's a little to the left) can be told
    apart.  ``fit`` is a REML fit with one random effect.
    """
    if len(fit.design.znames) != 1 or not fit.reml:
        raise ValueError("criterion_profile draws a REML fit with one random effect (a random intercept)")
    ml = fit.refit(reml=False)
    criteria = {"REML": (ProfiledDeviance(fit.stats, reml=True), fit), "ML": (ProfiledDeviance(fit.stats, reml=False), ml)}
    tau = {k: float(f.tau_matrix[0, 0]) for k, (_, f) in criteria.items()}
    outcome = outcome or fit.formula.split("~")[0].strip()
    theta = float(fit.theta[0])
    colours = alt.Scale(domain=["REML", "ML"], range=[PALETTE["blue"], PALETTE["vermillion"]])
    dashes = alt.Scale(domain=["REML", "ML"], range=[[1, 0], [5, 3]])
    panels = []
    for title, spread in (("The whole bowl", 0.5), ("Near the bottom", None)):
        if spread is None:  # a window a little wider than the gap between the minima
            gap = abs(tau["REML"] - tau["ML"])
            low, high = min(tau.values()) - 1.5 * gap, max(tau.values()) + 1.5 * gap
            thetas = np.linspace(np.sqrt(low / tau["REML"]) * theta, np.sqrt(high / tau["REML"]) * theta, 121)
        else:
            thetas = np.linspace(np.sqrt(1 - spread) * theta, np.sqrt(1 + spread) * theta, 121)
        curves = []
        for label, (criterion, f) in criteria.items():
            curve = _profile(criterion, thetas, label)
            curves.append(curve.assign(excess=curve["deviance"] - f.deviance))
        frame = pd.concat(curves, ignore_index=True)
        x = alt.X(
            "tau00:Q",
            title=f"School-level variance τ00 ({outcome}²)",
            scale=alt.Scale(zero=False, nice=False),
            axis=alt.Axis(labelFlush=True, tickCount=5),
        )
        y = alt.Y("excess:Q", title="Criterion above its minimum (−2 log L)", scale=alt.Scale(zero=True))
        colour = alt.Color(
            "criterion:N",
            scale=colours,
            title=None,
            legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="stroke"),
        )
        lines = (
            alt.Chart(frame)
            .mark_line()
            .encode(x=x, y=y, color=colour, strokeDash=alt.StrokeDash("criterion:N", scale=dashes, legend=None))
        )
        minima = pd.DataFrame(
            {
                "tau00": list(tau.values()),
                "excess": [0.0, 0.0],
                "criterion": list(tau),
                "label": [f"{k}: {v:.3f}" for k, v in tau.items()],
            }
        )
        dots = alt.Chart(minima).mark_point(size=70, filled=True, opacity=1).encode(x="tau00:Q", y="excess:Q", color=colour)
        rules = alt.Chart(minima).mark_rule(strokeDash=[2, 2], opacity=0.7).encode(x="tau00:Q", color=colour)
        layers = [rules, lines, dots]
        if spread is None:  # the lower estimate labelled to the left of its line, the higher to the right
            order = sorted(tau, key=tau.get)
            for label, align, dx in ((order[0], "right", -4), (order[1], "left", 4)):
                text = alt.Chart(minima[minima["criterion"] == label]).mark_text(align=align, dx=dx, fontWeight="bold")
                layers.append(
                    text.encode(
                        x="tau00:Q", y=alt.value(10), text="label:N", color=alt.Color("criterion:N", scale=colours, legend=None)
                    )
                )
        said = (
            f"The REML (solid) and ML (dashed) criteria against τ00 from {frame['tau00'].min():.3f} to "
            f"{frame['tau00'].max():.3f}, each relative to its own minimum; the minima, marked, lie at τ00 = "
            f"{tau['ML']:.3f} (ML) and {tau['REML']:.3f} (REML)."
        )
        panels.append(alt.layer(*layers).properties(width=charts.PANEL_WIDTH, height=200, title=title, description=said))
    numbers = {"tau_reml": tau["REML"], "tau_ml": tau["ML"], "gap": tau["REML"] - tau["ML"]}
    text = (
        f"The REML and ML criteria of the model against the school-level variance τ00, each relative to its own minimum. "
        f"Over τ00 from half to one and a half times the REML estimate both are smooth bowls with one minimum; zoomed in "
        f"on the bottom, the ML minimum lies at τ00 = {tau['ML']:.3f} and the REML minimum at {tau['REML']:.3f}, "
        f"{numbers['gap']:.3f} to its right."
    )
    return PanelFigure("The REML and ML criteria near their optimum", tuple(panels), text, numbers)
