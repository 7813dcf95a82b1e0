"""Read the explorer's HTML tables back into rows, as ``explorer_expect.check`` wants them.

Each ``<table data-table="NAME">`` becomes a list of rows, one dict per body
row, keyed by the fields of :data:`hlmteach.explore.charts.TABLE_LAYOUTS`
(the column headers map back to them).  Parsed with the standard library's
HTML parser, so the test reads what a browser would show, not the
DataFrame the HTML was made from.
"""

from __future__ import annotations

from html.parser import HTMLParser

from hlmteach.explore.charts import TABLE_LAYOUTS


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._name: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._name = dict(attrs).get("data-table") or f"table{len(self.tables)}"
            self.tables[self._name] = []
        elif tag == "tr" and self._name:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._name and self._row is not None:
            self.tables[self._name].append(self._row)
            self._row = None
        elif tag == "table":
            self._name = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_cells(html: str) -> dict[str, list[list[str]]]:
    """Every table's rows of cell texts (header row first), by its ``data-table`` name."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_rows(html: str) -> dict[str, list[dict[str, str]]]:
    """The explorer's four tables as rows of field → text (the header row checked and left out)."""
    out = {}
    for name, rows in table_cells(html).items():
        columns = TABLE_LAYOUTS[name][1]
        headers = [c.header for c in columns]
        assert rows and rows[0] == headers, f"{name}: header row {rows[:1]} is not {headers}"
        out[name] = [dict(zip([c.field for c in columns], row, strict=True)) for row in rows[1:]]
    return out
