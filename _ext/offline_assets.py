"""Sphinx extension: serve every script, style and font of the book from the book itself.

Loaded through ``sphinx.local_extensions`` in ``_config.yml``.  It

* copies the committed vendor tree ``_vendor/`` (MathJax 3, the standalone
  Jupyter widgets manager; see ``tools/vendor_assets.py``) to
  ``_static/vendored/`` of the HTML output.  It is deliberately *not* an
  ``html_static_path`` entry: Jupyter Book adds every ``*.js`` below the static
  paths to every page as soon as a root ``_static/`` folder exists;
* copies ``_ext/static/`` (our own small compatibility scripts) to
  ``_static/vendored/compat/``;
* writes Vega + Vega-Lite + vega-embed to ``_static/vendored/vega/`` from the
  pip-installed ``vl-convert-python``, for the Vega-Lite version of the
  installed Altair, wrapped in an IIFE (unwrapped, its top-level ``const _``
  clashes with Sphinx's ``doctools.js``), and adds it only to pages whose body
  calls ``vegaEmbed(``;
* sets ``HLMTEACH_BOOK_BUILD=1`` in the environment, which the notebook kernels
  inherit, so that ``hlmteach.explore.use_book_renderer()`` emits HTML for the
  local ``vegaEmbed``; and puts the repository root on ``sys.path`` and
  ``PYTHONPATH`` so that autodoc and the pages import this checkout's
  ``hlmteach`` even when it is not pip-installed;
* removes the duplicate inline scripts Sphinx 7.4 writes (see
  ``_dedupe_inline_scripts``), one of which throws on every page;
* fails the build (a warning, fatal under ``-W``) if ``mathjax_path``,
  ``nb_ipywidgets_js``, ``html_js_files`` or ``html_css_files`` name another host,
  or if a configured local asset is missing from the output.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
VENDOR_SRC = ROOT / "_vendor"
EXT_STATIC = Path(__file__).resolve().parent / "static"  # small files of our own
STATIC_PREFIX = "vendored"  # the assets end up in <outdir>/_static/vendored/
# (not "vendor": pydata-sphinx-theme already uses _static/vendor/fontawesome)
VEGA_JS = f"{STATIC_PREFIX}/vega/vega-bundle.js"
BOOK_ENV_VAR = "HLMTEACH_BOOK_BUILD"

# Sphinx renders script tags in priority order; the default is 500 and
# require.js (should it ever come back) must come after Vega.
VEGA_PRIORITY = 200


def _is_remote(uri: str) -> bool:
    return "://" in uri or uri.startswith("//")


def _vl_version() -> tuple[str, str]:
    """(Vega-Lite version Altair targets, closest version vl-convert bundles)."""
    import altair as alt
    import vl_convert

    wanted = alt.SCHEMA_VERSION.lstrip("v")  # e.g. "6.4.1"
    major_minor = ".".join(wanted.split(".")[:2])
    available = vl_convert.get_vegalite_versions()
    if major_minor in available:
        return wanted, major_minor

    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))

    same_major = [v for v in available if v.split(".")[0] == major_minor.split(".")[0]]
    if not same_major:
        raise RuntimeError(
            f"vl-convert-python {vl_convert.__version__} bundles Vega-Lite {available}, "
            f"none compatible with Altair's Vega-Lite {wanted}; upgrade vl-convert-python"
        )
    older = [v for v in same_major if key(v) <= key(major_minor)]
    chosen = max(older or same_major, key=key)
    logger.info("[offline_assets] Altair targets Vega-Lite %s; using vl-convert's %s", wanted, chosen)
    return wanted, chosen


def _vega_bundle(cache_dir: Path) -> Path:
    """Write (once per vl-convert/Vega-Lite version) the IIFE-wrapped Vega bundle."""
    import vl_convert

    _, vl = _vl_version()
    name = f"vega-bundle-vlc{vl_convert.__version__}-vl{vl}.js"
    path = cache_dir / name
    if not path.is_file():
        logger.info("[offline_assets] writing Vega bundle %s", name)
        js = vl_convert.javascript_bundle(vl_version=vl)
        header = (
            f"/* Vega {vl_convert.get_vega_version()}, Vega-Lite {vl}, "
            f"vega-embed {vl_convert.get_vega_embed_version()}: bundled by "
            f"vl-convert-python {vl_convert.__version__} (BSD-3-Clause). "
            "Defines window.vega, window.vegaLite and window.vegaEmbed. */\n"
        )
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(header + "(function () {\n" + js + "\n})();\n", encoding="utf-8")
        tmp.replace(path)
    return path


def _on_config_inited(app: Sphinx, config: Config) -> None:
    os.environ[BOOK_ENV_VAR] = "1"
    root = str(ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in parts:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *parts])

    remote = []
    if _is_remote(config.mathjax_path or ""):
        remote.append(f"mathjax_path = {config.mathjax_path}")
    for uri in getattr(config, "nb_ipywidgets_js", {}) or {}:
        if _is_remote(uri):
            remote.append(f"nb_ipywidgets_js: {uri}")
    for key in ("html_js_files", "html_css_files"):
        for entry in getattr(config, key, []) or []:
            uri = entry[0] if isinstance(entry, (tuple, list)) else entry
            if uri and _is_remote(uri):
                remote.append(f"{key}: {uri}")
    for item in remote:
        logger.warning("[offline_assets] the book must not load assets from other hosts: %s", item)


def _on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.format != "html":
        return
    if "vegaEmbed(" in (context.get("body") or ""):
        app.add_js_file(VEGA_JS, priority=VEGA_PRIORITY)


def _dedupe_inline_scripts(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Drop repeated inline scripts (Sphinx 7.4 emits them twice).

    Sphinx 7.4 re-adds, before writing, the scripts that extensions registered
    after the builder was initialised, with ``filename=''`` instead of ``None``,
    so its de-duplication misses inline ones: sphinx-thebe's
    ``const THEBE_JS_URL = ...`` then appears twice on every page and throws
    "Identifier 'THEBE_JS_URL' has already been declared".
    """
    files = context.get("script_files")
    if not isinstance(files, list):
        return
    seen = set()
    kept = []
    for js in files:
        filename = getattr(js, "filename", js) or ""
        attributes = getattr(js, "attributes", {}) or {}
        key = (filename, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if not filename and key in seen:
            continue
        seen.add(key)
        kept.append(js)
    files[:] = kept


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder is None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    target = static / STATIC_PREFIX
    copy_asset(str(VENDOR_SRC), str(target), excluded=lambda p: p.endswith("VERSIONS.json"))
    copy_asset(str(EXT_STATIC), str(target / "compat"))

    bundle = _vega_bundle(Path(app.outdir).parent / ".offline_assets")
    dest = static / VEGA_JS
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.is_file() or _digest(dest) != _digest(bundle):
        dest.write_bytes(bundle.read_bytes())

    wanted = [app.config.mathjax_path, *(getattr(app.config, "nb_ipywidgets_js", {}) or {})]
    for uri in wanted:
        if uri and not _is_remote(uri) and not (static / uri).is_file():
            logger.warning("[offline_assets] configured asset _static/%s is missing from the output", uri)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def setup(app: Sphinx) -> dict[str, Any]:
    # After Sphinx's and Jupyter Book's own config-inited handlers (default 500).
    app.connect("config-inited", _on_config_inited, priority=900)
    app.connect("html-page-context", _on_html_page_context)
    app.connect("html-page-context", _dedupe_inline_scripts, priority=990)
    app.connect("build-finished", _on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
