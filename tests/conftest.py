"""Shared fixtures: the HSB data as the package ships it, and the reference fits."""

from __future__ import annotations

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
