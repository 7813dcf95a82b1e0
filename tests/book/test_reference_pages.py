"""The course text's apparatus in the built book: API reference, glossary, references, numbering, the PDF link."""

from __future__ import annotations

import re

import pytest
import yaml

import hlmteach
import hlmteach.classroom
import hlmteach.explore
from tests.support.book_html import BUILT_HTML, ROOT, needs_build, read_page

pytestmark = needs_build

MODULES = (hlmteach, hlmteach.explore, hlmteach.classroom)
GLOSSARY = (
    "ICC",
    "REML and ML",
    "centring",
    "contextual effect",
    "shrinkage",
    "empirical Bayes",
    "reliability",
    "plausible-value range",
    "cross-level interaction",
    "robust standard errors",
    "Satterthwaite df",
    "deviance",
    "singular fit",
)
WORKS = (
    "Raudenbush",
    "Bates",
    "Kuznetsova",
    "Satterthwaite",
    "Dempster",
    "Enders",
    "Lalchandani",
)


def api_html() -> str:
    return (BUILT_HTML / "book" / "api.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_api_page_has_an_entry_for_every_public_name(module):
    html = api_html()
    ids = {f'id="{module.__name__}.{name}"': name for name in module.__all__}
    ids.update({f'id="module-{module.__name__}.{name}"': name for name in module.__all__})  # a module in __all__
    found = {name for anchor, name in ids.items() if anchor in html}
    missing = [name for name in module.__all__ if name not in found]
    assert not missing, f"api.html has no entry for {module.__name__}.{missing}"


def test_api_page_shows_no_raw_directives():
    text = read_page("api").text
    assert ".. py:" not in text and ".. auto" not in text


def test_general_index_lists_the_api():
    index = (BUILT_HTML / "genindex.html").read_text(encoding="utf-8")
    missing = [name for name in hlmteach.__all__ if f'href="book/api.html#hlmteach.{name}"' not in index]
    assert not missing, f"the general index does not list {missing}"


def test_glossary_defines_every_term():
    html = (BUILT_HTML / "book" / "glossary.html").read_text(encoding="utf-8")
    terms = [re.sub(r"<[^>]+>", "", t).strip().rstrip("#") for t in re.findall(r'<dt id="term-[^"]*">(.*?)</dt>', html, re.S)]
    missing = [t for t in GLOSSARY if t not in terms]
    assert not missing, f"the glossary lacks {missing} (has {terms})"


def test_references_list_the_works_the_book_uses():
    text = read_page("references").text
    missing = [author for author in WORKS if author not in text]
    assert not missing, f"the references lack {missing}"


def test_headings_are_numbered_two_levels_deep():
    too_deep = {}
    for path in sorted((BUILT_HTML / "book").glob("*.html")):
        numbers = re.findall(r'<span class="section-number">([\d.]+)\s*</span>', path.read_text(encoding="utf-8"))
        deep = [n for n in numbers if len(n.strip(".").split(".")) > 2]
        if deep:
            too_deep[path.name] = deep[:3]
    assert not too_deep, f"headings numbered more than two levels deep: {too_deep}"


def test_chapters_are_numbered_across_the_parts():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    numbered = [c["file"].rsplit("/", 1)[-1] for part in toc["parts"] if part.get("numbered") for c in part["chapters"]]
    for name in ("unconditional", "comparison", "capstone"):
        assert f"{numbered.index(name) + 1}." in read_page(name).headings["h1"][0], name


def test_introduction_links_to_the_pdf():
    html = (BUILT_HTML / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'href="../hlmteach.pdf"' in html


MODEL_CHAPTERS = ("unconditional", "means_as_outcomes", "random_coefficient", "intercepts_slopes")


@pytest.mark.parametrize("name", MODEL_CHAPTERS)
def test_model_chapter_opens_with_objectives_and_closes_with_key_points(name):
    html = (BUILT_HTML / "book" / f"{name}.html").read_text(encoding="utf-8")
    titles = re.findall(r'<p class="admonition-title">(.*?)</p>', html)
    assert titles[0] == "Learning objectives", f"the first box of {name} is {titles[:1]}"
    assert titles[-1] == "Key points", f"the last box of {name} is {titles[-1:]}"
    body = html[html.index('<p class="admonition-title">Key points</p>') :]
    assert "<h2" not in body.split("</article>")[0], "the key points are not at the end of the chapter"


@pytest.mark.parametrize("name", MODEL_CHAPTERS)
def test_model_chapter_links_the_glossary_and_cites_its_sources(name):
    html = (BUILT_HTML / "book" / f"{name}.html").read_text(encoding="utf-8")
    assert re.search(r'href="glossary\.html#term-[^"]+"', html), f"{name} links no glossary term"
    assert re.search(r'href="references\.html#[^"]+"', html), f"{name} cites nothing"
