#!/usr/bin/env python
"""(Re)generate the browser assets the book serves itself, in ``_vendor/``.

The built book must not load any script, style or font from another host, so the
JavaScript that Sphinx, MyST-NB and Altair would normally take from CDNs is
shipped with the repository:

* MathJax 3 (npm ``mathjax``): the ``es5/tex-chtml-full.js`` component (all TeX
  extensions preloaded, so nothing is fetched lazily) and the CHTML woff fonts
  it loads from ``output/chtml/fonts/woff-v2/``.
* The standalone Jupyter widgets manager (npm ``@jupyter-widgets/html-manager``):
  ``dist/embed.js`` (not ``embed-amd.js``, which needs require.js) and the woff2
  icon fonts its CSS loads relative to the script.

Vega, Vega-Lite and vega-embed are *not* vendored here: ``_ext/offline_assets.py``
writes them at build time from the pip-installed ``vl-convert-python``, matched
to the Vega-Lite version of the installed Altair.

Only the files a browser actually loads are kept, with the packages' licenses;
``_vendor/VERSIONS.json`` records versions, npm integrity hashes and a sha256
for every file.  Needs ``npm`` (it runs ``npm pack``, i.e. only the npm
registry).  Usage::

    python tools/vendor_assets.py            # fetch the pinned versions
    python tools/vendor_assets.py --check    # verify _vendor/ against VERSIONS.json
    python tools/vendor_assets.py --mathjax 3.2.2 --html-manager 1.0.15
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "_vendor"
VERSIONS = VENDOR / "VERSIONS.json"

MATHJAX_VERSION = "3.2.2"
HTML_MANAGER_VERSION = "1.0.15"  # ipywidgets 8.1 declares html-manager ^1.0.1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_pack(spec: str, workdir: Path) -> tuple[dict, Path]:
    """``npm pack`` *spec* into *workdir*; return npm's JSON record and the unpacked folder."""
    out = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(workdir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    record = json.loads(out.stdout)[0]
    unpacked = workdir / (record["filename"] + ".d")
    with tarfile.open(workdir / record["filename"]) as tar:
        tar.extractall(unpacked, filter="data")
    return record, unpacked / "package"


def _copy(src: Path, dest: Path, files: dict[str, str]) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    files[dest.relative_to(VENDOR).as_posix()] = _sha256(dest)


def vendor_mathjax(version: str, workdir: Path, files: dict[str, str]) -> dict:
    record, pkg = _npm_pack(f"mathjax@{version}", workdir)
    target = VENDOR / "mathjax"
    _copy(pkg / "LICENSE", target / "LICENSE", files)
    _copy(pkg / "es5" / "tex-chtml-full.js", target / "tex-chtml-full.js", files)
    fonts = pkg / "es5" / "output" / "chtml" / "fonts" / "woff-v2"
    for font in sorted(fonts.glob("*.woff")):
        _copy(font, target / "output" / "chtml" / "fonts" / "woff-v2" / font.name, files)
    return {"npm": record["name"], "version": record["version"], "integrity": record["integrity"]}


def vendor_html_manager(version: str, workdir: Path, files: dict[str, str]) -> dict:
    record, pkg = _npm_pack(f"@jupyter-widgets/html-manager@{version}", workdir)
    target = VENDOR / "jupyter-widgets"
    dist = pkg / "dist"
    _copy(dist / "embed.js", target / "embed.js", files)
    _copy(dist / "embed.js.LICENSE.txt", target / "embed.js.LICENSE.txt", files)
    # The bundled CSS lists eot/woff2/woff/ttf/svg for each icon font; every
    # current browser takes the woff2, so only those are shipped.
    for font in sorted(dist.glob("*.woff2")):
        _copy(font, target / font.name, files)
    # The npm package carries no LICENSE file; it is ipywidgets' (same repository,
    # BSD-3-Clause), which pip installs with the ipywidgets wheel.
    license_text = None
    try:
        dist_info = metadata.distribution("ipywidgets")
        for name in ("licenses/LICENSE", "LICENSE"):
            license_text = dist_info.read_text(name)
            if license_text:
                break
    except metadata.PackageNotFoundError:
        pass
    if not license_text:
        sys.exit("ipywidgets (for its LICENSE) must be pip-installed to vendor the widget manager")
    (target / "LICENSE").write_text(
        "@jupyter-widgets/html-manager is part of the ipywidgets repository\n"
        "(https://github.com/jupyter-widgets/ipywidgets), license BSD-3-Clause:\n\n"
        + license_text
        + "\n\nThe *.woff2 files are Font Awesome Free 4/5 icon fonts (SIL OFL 1.1),\n"
        "bundled by the package; see embed.js.LICENSE.txt for all bundled notices.\n",
        encoding="utf-8",
    )
    files[(target / "LICENSE").relative_to(VENDOR).as_posix()] = _sha256(target / "LICENSE")
    return {"npm": record["name"], "version": record["version"], "integrity": record["integrity"]}


def check() -> int:
    """Verify that every file listed in VERSIONS.json is present and unchanged."""
    recorded = json.loads(VERSIONS.read_text(encoding="utf-8"))
    problems = []
    for rel, digest in recorded["files"].items():
        path = VENDOR / PurePosixPath(rel)
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif _sha256(path) != digest:
            problems.append(f"changed: {rel}")
    listed = set(recorded["files"]) | {"VERSIONS.json"}
    for path in VENDOR.rglob("*"):
        if path.is_file() and path.relative_to(VENDOR).as_posix() not in listed:
            problems.append(f"not listed: {path.relative_to(VENDOR).as_posix()}")
    for line in problems:
        print(line)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mathjax", default=MATHJAX_VERSION, help="npm mathjax version (3.x)")
    parser.add_argument("--html-manager", default=HTML_MANAGER_VERSION, help="npm @jupyter-widgets/html-manager version")
    parser.add_argument("--check", action="store_true", help="only verify _vendor/ against VERSIONS.json")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    if shutil.which("npm") is None:
        sys.exit("npm is needed to fetch the packages (npm pack)")

    for sub in ("mathjax", "jupyter-widgets"):
        shutil.rmtree(VENDOR / sub, ignore_errors=True)
    files: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        packages = {
            "mathjax": vendor_mathjax(args.mathjax, Path(tmp), files),
            "jupyter-widgets": vendor_html_manager(args.html_manager, Path(tmp), files),
        }
    record = {
        "generated_by": "tools/vendor_assets.py",
        "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "packages": packages,
        "files": dict(sorted(files.items())),
    }
    VERSIONS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    size = sum((VENDOR / rel).stat().st_size for rel in files)
    print(f"wrote {len(files)} files, {size / 1e6:.2f} MB, to {VENDOR.relative_to(ROOT)}/")
    for name, info in packages.items():
        print(f"  {name}: {info['npm']}@{info['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
