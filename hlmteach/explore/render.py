"""Altair output for the book and its notebooks: two offline renderers and a house chart theme.

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

**In a live notebook** (JupyterLab, Notebook 7, VS Code; a downloaded page) it
enables the ``hlmteach_live`` renderer: each chart is Altair's
:class:`~altair.JupyterChart` widget in its offline mode, whose JavaScript
(Vega, Vega-Lite and vega-embed) comes from the pip package
``vl-convert-python`` through anywidget, so nothing is fetched from a CDN,
and the chart stays interactive.  The same output carries an SVG of the
chart (drawn by vl-convert in the kernel), which front ends without widget
support (nbviewer, GitHub, ``nbconvert --to html``) show instead.  Pass
``mode="book"`` or ``mode="notebook"`` to force either renderer.

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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import altair as alt

if TYPE_CHECKING:
    from altair import JupyterChart

__all__ = [
    "BOOK_ENV_VAR",
    "EMBED_OPTIONS",
    "GROUP_COLOURS",
    "LIVE_RENDERER_NAME",
    "PALETTE",
    "RENDERER_NAME",
    "SECTOR_COLOURS",
    "THEME_NAME",
    "book_renderer",
    "chart_data",
    "chart_html",
    "hlmteach_theme",
    "in_book_build",
    "live_chart",
    "live_renderer",
    "set_chart_data",
    "set_chart_spec",
    "svg_fallback",
    "use_book_renderer",
]

BOOK_ENV_VAR = "HLMTEACH_BOOK_BUILD"
RENDERER_NAME = "hlmteach_book"
LIVE_RENDERER_NAME = "hlmteach_live"
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


def _bundle_cache() -> Path:
    """Where the offline JupyterChart bundle is kept between kernels (``HLMTEACH_CACHE``, else the user's cache)."""
    if os.environ.get("HLMTEACH_CACHE"):
        return Path(os.environ["HLMTEACH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    return Path(base) if base else Path.home() / ".cache" / "hlmteach"


def _enable_offline(chart_class: type[JupyterChart]) -> None:
    """``JupyterChart.enable_offline()``, whose bundling of Vega with Altair's widget code (1.5 s) is done once per
    Altair, vl-convert and Vega-Lite version and kept on disk, not in every kernel.

    The bundle is what ``enable_offline`` itself makes; it is read back into the
    class attributes that method sets (``_esm``, ``_is_offline``).  Anything
    unexpected (an Altair without them, an unwritable cache) falls back to
    calling ``enable_offline`` as it is.
    """
    if getattr(chart_class, "_is_offline", False):
        return
    try:
        import vl_convert
        from altair.jupyter.jupyter_chart import load_js_src
        from altair.utils._importers import vl_version_for_vl_convert

        key = f"{alt.__version__}|{vl_convert.__version__}|{vl_version_for_vl_convert()}|{load_js_src()}"
        path = _bundle_cache() / f"jupyterchart-offline-{hashlib.sha1(key.encode()).hexdigest()[:16]}.js"
        if path.is_file() and hasattr(chart_class, "_esm"):
            chart_class._esm = path.read_text(encoding="utf-8")
            chart_class._is_offline = True
            return
        chart_class.enable_offline(True)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(chart_class._esm, encoding="utf-8")
        tmp.replace(path)
    except (ImportError, AttributeError, OSError):
        chart_class.enable_offline(True)


def live_chart(spec: dict[str, Any], embed_options: dict[str, Any] | None = None) -> JupyterChart:
    """Altair's ``JupyterChart`` widget, offline, drawing the Vega-Lite ``spec``.

    :func:`set_chart_data` redraws it with new rows (the live explorer does that
    on every refit); assigning a new spec to its ``spec`` trait re-embeds it.
    The widget is made from the spec itself, not from an Altair chart object:
    that skips Altair's schema validation of the whole spec (which the chart
    had when it was built), the slow part of ``alt.Chart.from_dict``.
    """
    from altair import JupyterChart  # loads anywidget: only when a live chart is drawn

    _enable_offline(JupyterChart)
    widget = JupyterChart(None, embed_options={**EMBED_OPTIONS, **(embed_options or {})})
    widget.spec = spec  # after __init__, whose handling of chart=None empties the spec
    return widget


def set_chart_data(widget: JupyterChart, datasets: dict[str, list[dict[str, Any]]]) -> None:
    """Redraw a :func:`live_chart` with new rows for some of its named data sets, keeping its view.

    The rows go to the chart's Vega view in the front end through the channel
    JupyterChart's JavaScript has for VegaFusion (its ``_py_to_js_updates``
    trait: each data set's rows are replaced by a Vega changeset, then the
    view runs), so Vega re-runs only the dataflow behind those data sets and
    re-draws the marks in place; replacing the ``spec`` would re-compile and
    re-embed the whole chart.  The widget's ``spec`` keeps the data it was
    first drawn with: a second view of the same widget starts from those.
    """
    updates = [{"namespace": "data", "name": name, "scope": [], "value": rows} for name, rows in datasets.items()]
    widget._py_to_js_updates = updates


def set_chart_spec(widget: JupyterChart, spec: dict[str, Any]) -> None:
    """Make a :func:`live_chart` draw another chart: a new spec, re-embedded, without the rows
    :func:`set_chart_data` gave the old one (they name the old chart's data sets)."""
    widget._py_to_js_updates = []
    widget.spec = spec


def chart_data(widget: JupyterChart) -> dict[str, list[dict[str, Any]]]:
    """The named data sets a :func:`live_chart` shows now: its spec's, with the rows of :func:`set_chart_data` on top."""
    data = dict((widget.spec or {}).get("datasets", {}))
    for update in widget._py_to_js_updates or []:
        data[update["name"]] = update["value"]
    return data


def svg_fallback(spec: dict[str, Any]) -> str:
    """The chart as SVG, drawn in the kernel by vl-convert (what front ends without widgets show)."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def live_renderer(spec: dict[str, Any], **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Altair renderer for live notebooks: an offline ``JupyterChart`` widget, with an SVG of the chart for the rest.

    Jupyter front ends with widgets (JupyterLab 4, Notebook 7, VS Code)
    prefer the widget view; others show the ``image/svg+xml`` (or, lacking
    that, the ``text/plain``) of the same output.
    """
    widget = live_chart(spec, metadata.get("embed_options"))
    data, meta = widget._repr_mimebundle_()
    return {**data, "image/svg+xml": svg_fallback(spec)}, meta


def in_book_build() -> bool:
    """True when running inside ``jupyter-book build`` (see the module docstring)."""
    return os.environ.get(BOOK_ENV_VAR, "") not in ("", "0", "false", "False")


def _register() -> None:
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, book_renderer)
    if LIVE_RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(LIVE_RENDERER_NAME, live_renderer)
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(hlmteach_theme)


def use_book_renderer(mode: Literal["auto", "book", "notebook"] = "auto", *, max_rows: int | None = 10_000) -> str:
    """Enable the book's renderer (in the book build) or the live one (in a notebook), and the theme.

    Parameters
    ----------
    mode
        ``"auto"`` (default): the book renderer inside ``jupyter-book build``,
        the live-notebook renderer (offline ``JupyterChart`` widgets with an
        SVG fallback) elsewhere; ``"book"`` or ``"notebook"`` force one of them.
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
    name = RENDERER_NAME if book else LIVE_RENDERER_NAME
    alt.renderers.enable(name)
    return name


_register()
