"""The static explorer as one block of HTML: a form, the charts, the tables, and the script that links them.

The block holds, top to bottom: a form of the chapter's controls (a radio
group under a labelled ``<fieldset>``, checkboxes and select lists with
labels; a control that does not apply is disabled and says why), the key
numbers of the model drawn (an ``aria-live`` region that announces them after
every change), the model's lme4 formula and any warning, then each
:class:`~hlmteach.explore.web.Figure` (its title, a sentence on what to see, its
panels, and a caption with its numbers), and HLM 7's and lme4's tables as HTML.
Every part that changes with the model has a ``data-slot-target``; each
distinct model has a ``<template>`` with those parts, and ``explorer.js``
(inlined once per explorer) swaps them in.  Styles: ``_static/explorer.css``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from html import escape
from importlib import resources
from typing import TYPE_CHECKING

import altair as alt

from .controls import Control

if TYPE_CHECKING:  # the explorer imports this module to display itself
    from .web import Figure, Panel, StaticExplorer

__all__ = ["chart_html", "explorer_html"]

_counter = itertools.count(1)


def _script() -> str:
    return resources.files(__package__).joinpath("explorer.js").read_text(encoding="utf-8")


def _json(obj: object) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(obj, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _control(control: Control, uid: str, off: str) -> str:
    """One control as HTML, at its default; ``off`` is why it does not apply at the default ("" if it does)."""
    name = escape(control.name)
    why_id = f"{uid}-{name}-why"
    why = f'<span class="hlmteach-why" id="{why_id}">{escape(f"({off})") if off else ""}</span>'
    disabled = " disabled" if off else ""
    described = f' aria-describedby="{why_id}"'
    classes = "hlmteach-control vega-bind" + (" is-off" if off else "")  # vega-bind: what tools look for in chart controls
    if control.input == "radio":
        options = "".join(
            f'<label><input type="radio" name="{name}" value="{escape(str(o.value))}"'
            f"{' checked' if o.value == control.default else ''}{disabled}> {escape(o.label)}</label>"
            for o in control.options
        )
        legend = escape(control.label.rstrip(": "))
        # the legend names the group for assistive technology; the same words are shown on the options' line
        return (
            f'<fieldset class="{classes}" data-control="{name}"{described}><legend class="hlmteach-sr-only">{legend}</legend>'
            f'<span class="hlmteach-control-name" aria-hidden="true">{legend}</span>'
            f'<span class="hlmteach-options">{options}</span>{why}</fieldset>'
        )
    if control.input == "checkbox":
        checked = " checked" if control.default else ""
        return (
            f'<div class="{classes}" data-control="{name}"><label><input type="checkbox" name="{name}"{checked}{disabled}'
            f"{described}> {escape(control.label)}</label> {why}</div>"
        )
    options = "".join(
        f'<option value="{escape(str(o.value))}"{" selected" if o.value == control.default else ""}>{escape(o.label)}</option>'
        for o in control.options
    )
    select_id = f"{uid}-{name}"
    return (
        f'<div class="{classes}" data-control="{name}"><label for="{select_id}">{escape(control.label.rstrip(": "))}</label> '
        f'<select id="{select_id}" name="{name}"{disabled}{described}>{options}</select> {why}</div>'
    )


def chart_html(spec: dict) -> str:
    """A chart through the book's renderer (which returns HTML that draws it with the page's Vega), without
    vega-embed's action menu (the page shows the numbers itself)."""
    bundle = alt.renderers.get()(spec, embed_options={"actions": False})
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    return data["text/html"]


def _panel(panel: Panel, lacking: dict[str, str], missing: list[str]) -> str:
    """A panel's chart, and the sentence shown in its place when the model lacks what it needs."""
    if not panel.needs:
        return f'<div class="hlmteach-panel">{chart_html(panel.spec)}</div>'
    state = " is-lacking" if panel.needs in missing else ""  # at the default setting; the script keeps it up to date
    return (
        f'<div class="hlmteach-panel{state}" data-needs="{panel.needs}">{chart_html(panel.spec)}'
        f'<p class="hlmteach-panel-off">{escape(lacking[panel.needs])}</p></div>'
    )


def _figure(figure: Figure, slots: dict[str, str], lacking: dict[str, str], missing: list[str]) -> str:
    panels = "".join(_panel(p, lacking, missing) for p in figure.panels)
    caption = slots.get(f"caption-{figure.slot}", "")
    return (
        f'<figure class="hlmteach-figure" data-figure="{figure.slot}">'
        f'<h3 class="hlmteach-figure-title">{escape(figure.title)}</h3>'
        f'<p class="hlmteach-figure-intro">{escape(figure.intro)}</p><div class="hlmteach-panels">{panels}</div>'
        f'<figcaption class="hlmteach-caption" data-slot-target="caption-{figure.slot}">{escape(caption)}</figcaption></figure>'
    )


def _template(index: int, slots: dict[str, str]) -> str:
    html_slots = ("header", "tables")  # already HTML; the others are text
    parts = "".join(
        f'<div data-slot="{name}">{value if name in html_slots else escape(value)}</div>' for name, value in slots.items()
    )
    return f'<template data-model="{index}">{parts}</template>'


def explorer_html(explorer: StaticExplorer) -> str:
    """The explorer's HTML (see the module docstring); its charts drawn by the active (book) renderer."""
    chapter = explorer.chapter
    slots, settings = explorer.models()
    default = settings[chapter.key(chapter.default)]
    here = slots[default["model"]]
    digest = hashlib.sha1(f"{chapter.name}{len(settings)}".encode()).hexdigest()[:8]
    uid = f"hlmteach-explorer-{digest}-{next(_counter)}"
    x = chapter.variables.label(chapter.variables.predictor)
    groups = chapter.variables.groups
    lacking = {
        "slope": f"{x} is not in this model, so there is no {x} slope to draw.",
        "random_slope": f"The {x} slope has no random effect in this model: every one of the {groups} shares γ10, "
        "so there is nothing to rank.",
    }
    controls = "".join(_control(c, uid, default["off"].get(c.name, "")) for c in chapter.controls)
    figures = "".join(_figure(f, here, lacking, default["lacks"]) for f in explorer.figures)
    note = here["note"]
    config = {"names": list(chapter.names), "settings": settings}
    return (
        f'<div class="hlmteach-explorer" id="{uid}" data-chapter="{escape(chapter.name)}">'
        f'<form class="hlmteach-controls" aria-label="Choose the model">{controls}</form>'
        f'<p class="hlmteach-status" role="status" aria-live="polite" data-slot-target="status">{escape(here["status"])}</p>'
        f'<div class="hlmteach-model" data-slot-target="header">{here["header"]}</div>'
        f'<p class="hlmteach-note" data-slot-target="note"{"" if note else " hidden"}>{escape(note)}</p>'
        f"{figures}"
        '<section class="hlmteach-figure" data-figure="tables"><h3 class="hlmteach-figure-title">HLM 7 and lme4 tables</h3>'
        f'<div data-slot-target="tables">{here["tables"]}</div></section>'
        f"{''.join(_template(i, s) for i, s in enumerate(slots))}"
        f'<script type="application/json" class="hlmteach-explorer-settings">{_json(config)}</script>'
        f"<script>{_script()}</script></div>"
    )
