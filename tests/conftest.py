"""Shared fixtures: the HSB data as the package ships it, and the reference fits."""

from __future__ import annotations

from pathlib import Path

import pytest

import hlmteach


@pytest.fixture(scope="session")
def hsb():
    return hlmteach.load_hsb()


@pytest.fixture(scope="session")
def lme4_reference() -> dict[str, dict]:
    return hlmteach.seed_outputs()["lme4"]


@pytest.fixture(scope="session")
def hlm7_reference() -> dict[str, dict]:
    return hlmteach.seed_outputs()["hlm7"]


@pytest.fixture(scope="session")
def seed_fits(hsb, lme4_reference):
    """The seed's models (and the ML fits), fitted once per test session."""
    return {name: hlmteach.lmer(ref["formula"], hsb, reml=ref["reml"]) for name, ref in lme4_reference.items()}


TESTS = Path(__file__).resolve().parent
SLOW_FIRST = ("live", "browser")  # the folders whose files take minutes: JupyterLab, kernels, Chromium


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the slow folders first, so that two pytest-xdist workers (``--dist loadfile``) finish together."""

    def rank(item: pytest.Item) -> int:
        folder = Path(str(item.path)).resolve().relative_to(TESTS).parts[0]
        return SLOW_FIRST.index(folder) if folder in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)
