"""Altair output for the book: an offline renderer and a house chart theme.

Call :func:`use_book_renderer` once near the top of a page::

    from hlmteach.explore import use_book_renderer
    use_book_renderer()

**In the book build** (``jupyter-book build``; the book's Sphinx extension
``_ext/offline_assets.py`` sets the environment variable ``HLMTEACH_BOOK_BUILD``,
which the executing kernels inherit) it enables the ``hlmteach_book`` renderer.
Its HTML output is a ``<div>`` and an inline script that calls the
``vegaEmbed`` the page loads from ``_static/vendored/vega/``: it names no CDN,
so the built site works offline.  The script keeps the Vega view that
vega-embed returns on the chart's element (``el.__view__``) and marks the
element ``data-chart-ready="true"`` (or ``data-chart-error``), so browser tests
can read signals and data (``tests/browser/conftest.py: chart_views``).

**In a live notebook** (JupyterLab, Notebook 7, VS Code, Colab, Binder) the
page cannot count on a ``vegaEmbed`` global, so Altair's ``default``
renderer is enabled instead (it loads Vega from a CDN, which a live session
can reach).  Pass ``mode="book"`` or ``mode="notebook"`` to force either.

In both cases the ``hlmteach`` theme (:func:`hlmteach_theme`) is enabled and
data are embedded in the chart (Altair's ``default`` data transformer, never
URLs), with the row limit raised to ``max_rows`` so the 7,185-student HSB data
fit in one chart.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
from typing import Any, Literal

import altair as alt

__all__ = [
    "BOOK_ENV_VAR",
    "EMBED_OPTIONS",
    "GROUP_COLOURS",
    "PALETTE",
    "RENDERER_NAME",
    "SECTOR_COLOURS",
    "THEME_NAME",
    "book_renderer",
    "chart_html",
    "hlmteach_theme",
    "in_book_build",
    "use_book_renderer",
]

BOOK_ENV_VAR = "HLMTEACH_BOOK_BUILD"
RENDERER_NAME = "hlmteach_book"
THEME_NAME = "hlmteach"

#: The book's one palette: Okabe & Ito's colour-blind-safe hues, darkened where
#: they carry text so that every colour but ``purple`` (marks only) reads at
#: 4.5:1 or more on the charts' white background (tests/explore/test_palette.py).
#: Each colour has one meaning throughout the book:
PALETTE: dict[str, str] = {
    "ink": "#222222",  # text, a single curve or line, averages
    "blue": "#0072B2",  # the first group of a two-valued level-2 variable (public schools); REML
    "vermillion": "#C24E00",  # the second group (Catholic schools); ML
    "green": "#007D5E",  # variance between groups (τ, level 2)
    "purple": "#CC79A7",  # variance within groups (σ², level 1)
    "grey": "#767676",  # the data, OLS estimates, baselines
    "light": "#E3E3E3",  # fills behind marks (baseline bars)
}

#: Curves and points by group: two-valued level-2 variables use the first two.
GROUP_COLOURS = [PALETTE[c] for c in ("blue", "vermillion", "green", "ink")]

#: The two levels of a two-valued level-2 factor (public and Catholic schools).
SECTOR_COLOURS = GROUP_COLOURS[:2]

#: vega-embed options used by the book renderer: SVG output (crisp, testable,
#: searchable, sharp in print) and no actions menu: its "…" button offers
#: students nothing ("View Source" dumps the chart's whole data set) and the
#: "open in Vega editor" action would send the chart to an outside site.
EMBED_OPTIONS: dict[str, Any] = {
    "renderer": "svg",
    "actions": False,
}

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def hlmteach_theme() -> alt.theme.ThemeConfig:
    """The book's chart defaults: sized for the page's text column, readable labels, the book's :data:`PALETTE`."""
    return {
        "config": {
            "font": _FONT,
            "view": {"continuousWidth": 480, "continuousHeight": 300, "stroke": None},
            "title": {
                "fontSize": 16,
                "fontWeight": "bold",
                "anchor": "start",
                "offset": 12,
                "color": PALETTE["ink"],
                "subtitleColor": "#444444",
                "subtitleFontSize": 13,
            },
            "axis": {
                "labelFontSize": 13,
                "titleFontSize": 14,
                "titleFontWeight": "normal",
                "titlePadding": 8,
                "gridColor": "#e6e6e6",
                "domainColor": "#666666",
                "tickColor": "#666666",
                "labelColor": PALETTE["ink"],
                "titleColor": PALETTE["ink"],
            },
            "legend": {
                "labelFontSize": 13,
                "titleFontSize": 14,
                "titleFontWeight": "normal",
                "symbolSize": 90,
                "labelColor": PALETTE["ink"],
                "titleColor": PALETTE["ink"],
            },
            "header": {"labelFontSize": 13, "titleFontSize": 14, "labelColor": PALETTE["ink"], "titleColor": PALETTE["ink"]},
            "background": "white",
            "range": {"category": [*GROUP_COLOURS, PALETTE["purple"], PALETTE["grey"]]},
            "mark": {"color": PALETTE["blue"]},
            "point": {"size": 40, "filled": True, "opacity": 0.75},
            "line": {"strokeWidth": 2},
            "text": {"fontSize": 13, "color": PALETTE["ink"]},
        }
    }


_CHART_TEMPLATE = """\
<div class="hlmteach-chart" id="{div_id}"></div>
<script type="text/javascript">
(function () {{
  "use strict";
  var el = document.getElementById("{div_id}");
  var spec = {spec};
  var opt = {options};
  function fail(err) {{
    el.setAttribute("data-chart-error", String(err));
    var pre = document.createElement("pre");
    pre.className = "hlmteach-chart-error";
    pre.textContent = "This chart could not be drawn: " + err;
    el.replaceChildren(pre);
    console.error(err);
  }}
  function draw() {{
    if (typeof window.vegaEmbed !== "function") {{
      fail(new Error("vegaEmbed is not loaded: this output was made for the book, whose pages load " +
        "_static/vendored/vega/vega-bundle.js; re-run the cell to draw it here"));
      return;
    }}
    window.vegaEmbed(el, spec, opt).then(function (result) {{
      el.__view__ = result.view;
      el.setAttribute("data-chart-ready", "true");
    }}).catch(fail);
  }}
  if (typeof window.vegaEmbed === "function" || document.readyState !== "loading") {{
    draw();
  }} else {{
    document.addEventListener("DOMContentLoaded", draw);
  }}
}})();
</script>
"""

_counter = itertools.count(1)


def _script_json(obj: Any) -> str:
    """JSON safe to inline in a <script> element (no "</script>", no "<!--")."""
    text = json.dumps(obj, separators=(",", ":"), sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_html(spec: dict[str, Any], embed_options: dict[str, Any] | None = None) -> str:
    """HTML for one Vega-Lite *spec* that draws it with the page's ``vegaEmbed``.

    The element id combines a hash of the spec with a per-kernel counter, so it
    is stable from build to build and unique on a page (also when a chart is
    glued into another page).
    """
    options = {"mode": "vega-lite", **EMBED_OPTIONS, **(embed_options or {})}
    spec_json = _script_json(spec)
    digest = hashlib.sha1(spec_json.encode("utf-8")).hexdigest()[:10]
    div_id = html.escape(f"hlmteach-chart-{digest}-{next(_counter)}", quote=True)
    return _CHART_TEMPLATE.format(div_id=div_id, spec=spec_json, options=_script_json(options))


def book_renderer(spec: dict[str, Any], **metadata: Any) -> dict[str, str]:
    """Altair renderer: a mimebundle whose ``text/html`` calls the locally loaded ``vegaEmbed``."""
    embed_options = metadata.get("embed_options")
    return {
        "text/html": chart_html(spec, embed_options),
        "text/plain": "<Vega-Lite chart: drawn by the book's local Vega bundle>",
    }


def in_book_build() -> bool:
    """True when running inside ``jupyter-book build`` (see the module docstring)."""
    return os.environ.get(BOOK_ENV_VAR, "") not in ("", "0", "false", "False")


def _register() -> None:
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, book_renderer)
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(hlmteach_theme)


def use_book_renderer(mode: Literal["auto", "book", "notebook"] = "auto", *, max_rows: int | None = 10_000) -> str:
    """Enable the book's renderer (or Altair's default in a live notebook) and theme.

    Parameters
    ----------
    mode
        ``"auto"`` (default): the book renderer inside ``jupyter-book build``,
        Altair's ``default`` renderer elsewhere; ``"book"`` or ``"notebook"``
        force one of them.
    max_rows
        Row limit for data embedded in a chart (Altair's default is 5,000);
        ``None`` removes it.

    Returns
    -------
    str
        The name of the renderer now enabled.
    """
    if mode not in ("auto", "book", "notebook"):
        raise ValueError(f"mode must be 'auto', 'book' or 'notebook', not {mode!r}")
    _register()
    alt.theme.enable(THEME_NAME)
    alt.data_transformers.enable("default", max_rows=max_rows)
    book = mode == "book" or (mode == "auto" and in_book_build())
    name = RENDERER_NAME if book else "default"
    alt.renderers.enable(name)
    return name


_register()
