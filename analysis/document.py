"""A tiny document model rendered three ways: Markdown, self-contained HTML and plain text.

The report text is generated once as a list of blocks and rendered by each writer, so
report.md, index.html and the `summary` command always say the same thing. Inline markup is
limited to ``**bold**``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Paragraph:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Image:
    """A figure file next to the page (relative path), with a title and a how-to-read caption."""
    file: str
    title: str
    caption: str = ""


@dataclass
class Document:
    title: str
    blocks: list = field(default_factory=list)

    def add(self, *blocks) -> "Document":
        self.blocks.extend(blocks)
        return self


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(doc: Document) -> str:
    """The document as GitHub-flavoured Markdown."""
    out = [f"# {doc.title}", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Paragraph):
            out += [b.text, ""]
        elif isinstance(b, Bullets):
            out += [f"- {item}" for item in b.items] + [""]
        elif isinstance(b, Table):
            if b.caption:
                out += [b.caption, ""]
            out.append("| " + " | ".join(map(_md_cell, b.header)) + " |")
            out.append("|" + "|".join("---" for _ in b.header) + "|")
            out += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in b.rows] + [""]
        elif isinstance(b, Image):
            out += [f"![{b.title}]({b.file})", ""]
            if b.caption:
                out += [f"*{b.title}.* {b.caption}", ""]
    return "\n".join(out).rstrip() + "\n"


def _html_inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text))


_CSS = """
body { font-family: "DejaVu Sans", Verdana, sans-serif; font-size: 20px; line-height: 1.5;
       max-width: 1400px; margin: 0 auto; padding: 1em 2em; color: #1a1a1a; background: #fff; }
h1 { font-size: 2em; margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 2px solid #ddd; }
p, li { max-width: 60em; } li { margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.5em 0 1em; } caption { text-align: left; padding: 0.3em 0; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.7em; text-align: left; }
th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.2em 0 2em; } figure img { width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #333; max-width: 60em; }
"""

_NUMERIC = re.compile(r"^[-+−]?[0-9][0-9,.]*\s*(%|×|months?)?$")


def to_html(doc: Document) -> str:
    """The document as one HTML page; images are referenced by relative path, CSS is inline."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(doc.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{html.escape(doc.title)}</h1>"]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{_html_inline(b.text)}</h{b.level}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{_html_inline(b.text)}</p>")
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{_html_inline(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            cells = lambda row, tag: "".join(  # noqa: E731
                f'<{tag}{" class=num" if tag == "td" and _NUMERIC.match(c) else ""}>{_html_inline(c)}</{tag}>'
                for c in row)
            out.append("<table>" + (f"<caption>{_html_inline(b.caption)}</caption>" if b.caption else "")
                       + f"<thead><tr>{cells(b.header, 'th')}</tr></thead><tbody>"
                       + "".join(f"<tr>{cells(r, 'td')}</tr>" for r in b.rows) + "</tbody></table>")
        elif isinstance(b, Image):
            out.append(f'<figure><img src="{html.escape(b.file)}" alt="{html.escape(b.title)}">'
                       f"<figcaption><strong>{html.escape(b.title)}.</strong> {_html_inline(b.caption)}"
                       "</figcaption></figure>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def to_text(doc: Document) -> str:
    """The document as plain text for a terminal (figures are left out)."""
    out = [doc.title, "=" * len(doc.title), ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += [_plain(b.text), "-" * len(_plain(b.text)), ""]
        elif isinstance(b, Paragraph):
            out += [_plain(b.text), ""]
        elif isinstance(b, Bullets):
            out += [f"  * {_plain(i)}" for i in b.items] + [""]
        elif isinstance(b, Table):
            rows = [[_plain(c) for c in r] for r in [b.header] + b.rows]
            widths = [max(len(r[i]) for r in rows) for i in range(len(b.header))]
            fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
            out += ([_plain(b.caption)] if b.caption else []) + [fmt(rows[0]), fmt(["-" * w for w in widths])]
            out += [fmt(r) for r in rows[1:]] + [""]
    return "\n".join(out).rstrip() + "\n"
