"""The book's one palette: readable text (WCAG 4.5:1 on the charts' white), visible marks (3:1), colour-blind safe pairs.

Contrast is WCAG 2's relative-luminance ratio.  Colour-blind safety is checked
by simulating protanopia, deuteranopia and tritanopia (Machado, Oliveira and
Fernandes 2009, severity 1) and asking that the colours which must be told
apart (the two groups of a two-valued level-2 variable; between- and
within-group variance) stay apart in CIELAB (ΔE ≥ 20) under each.
"""

from __future__ import annotations

import numpy as np
import pytest

from hlmteach.explore.render import GROUP_COLOURS, PALETTE, hlmteach_theme

MACHADO = {
    "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritan": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def linear(colour: str) -> np.ndarray:
    c = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def contrast(a: str, b: str = "#ffffff") -> float:
    la, lb = sorted((float(linear(a) @ [0.2126, 0.7152, 0.0722]), float(linear(b) @ [0.2126, 0.7152, 0.0722])))[::-1]
    return (la + 0.05) / (lb + 0.05)


def lab(rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ np.clip(rgb, 0, 1)
    f = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(f > 0.008856, np.cbrt(f), 7.787 * f + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("name", [n for n in PALETTE if n not in ("purple", "light")])
def test_text_colours_read_at_4_5_to_1_on_white(name):
    assert contrast(PALETTE[name]) >= 4.5, f"{name} {PALETTE[name]}: {contrast(PALETTE[name]):.2f}:1"


def test_mark_colours_are_visible_at_3_to_1():
    assert contrast(PALETTE["purple"]) >= 3.0


@pytest.mark.parametrize("pair", [("blue", "vermillion"), ("green", "purple"), ("grey", "ink")])
@pytest.mark.parametrize("kind", ["normal", *MACHADO])
def test_pairs_that_must_be_told_apart_stay_apart_for_colour_blind_readers(pair, kind):
    a, b = (linear(PALETTE[c]) for c in pair)
    if kind != "normal":
        matrix = np.array(MACHADO[kind])
        a, b = matrix @ a, matrix @ b
    assert np.linalg.norm(lab(a) - lab(b)) >= 20, f"{pair} under {kind}"


def test_the_theme_writes_text_in_palette_colours():
    config = hlmteach_theme()["config"]
    for part in ("title", "axis", "legend", "header"):
        for key, value in config[part].items():
            if key.endswith("Color") and key not in ("gridColor", "domainColor", "tickColor"):
                assert contrast(value) >= 4.5, (part, key, value)
    assert config["range"]["category"][:2] == GROUP_COLOURS[:2] == [PALETTE["blue"], PALETTE["vermillion"]]
