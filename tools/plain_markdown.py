"""MyST Markdown → the plain Markdown Jupyter, Colab and Binder render.

The ``.ipynb`` twins open in tools that know nothing of MyST, where ``(label)=`` lines,
``:::{admonition}`` fences and ``{ref}`` roles show as raw text. :func:`plain` rewrites one
Markdown cell: labels go, admonitions become quoted blocks with a bold title, ``{ref}`` becomes a
link to the published page, ``{cite}`` the author–year text, ``{glue:text}`` the value the build
glued, and the other roles their text. :func:`leftover_myst` finds what would still be MyST.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_ADMONITIONS = ("admonition", "note", "tip", "warning", "important", "seealso", "hint", "caution",
                "attention", "dropdown")


@dataclass(frozen=True)
class Context:
    """What the rewriting needs from the rest of the book."""

    labels: dict[str, tuple[str, str]]  # label -> (page, e.g. "book/01-backprop", its title)
    citations: dict[str, str]  # bibtex key -> "Rumelhart et al. 1986"
    glue: dict[str, str]  # this page's glue key -> the text/plain value the build recorded
    base_url: str  # the published book, ending in "/"


def load_context(pages: list[str], glue: dict[str, str]) -> Context:
    """Labels of ``pages`` (and every other page of the book), the bibliography, the site URL."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    labels: dict[str, tuple[str, str]] = {}
    for md in sorted((ROOT / "book").glob("*.md")):
        page = f"book/{md.stem}"
        lines = md.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^\(([\w-]+)\)=\s*$", line)
            if m:
                heading = next((h for h in lines[i + 1:i + 3] if h.startswith("#")), "")
                labels[m.group(1)] = (page, heading.lstrip("#").strip() or m.group(1))
    base = config["html"]["baseurl"].rstrip("/") + "/"
    return Context(labels, citations(ROOT / "book" / "references.bib"), glue, base)


_ACCENTS = {"'": "\u0301", '"': "\u0308", "`": "\u0300", "~": "\u0303", "^": "\u0302", "c": "\u0327"}


def _unlatex(text: str) -> str:
    """BibTeX accents as Unicode: ``Hyv{\\"a}rinen`` → Hyvärinen, ``St{\\'e}phane`` → Stéphane."""
    import unicodedata

    def accent(m: re.Match) -> str:
        return unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)])

    text = re.sub(r"\{\\(['\"`~^c])\s*\{?(\w)\}?\}", accent, text)
    text = re.sub(r"\\(['\"`~^])\{?(\w)\}?", accent, text)
    return text.replace("{", "").replace("}", "")


def citations(bib: Path) -> dict[str, str]:
    """``{key: "Author year"}``: one author, "A and B", or "A et al." (the book's author_year style)."""
    out = {}
    for m in re.finditer(r"@\w+\{([^,]+),(.*?)\n\}", bib.read_text(encoding="utf-8"), re.S):
        key, body = m.group(1).strip(), m.group(2)
        body = re.sub(r"\{\\['\"`~^c][^{}]*\}", lambda e: _unlatex(e.group(0)), body)
        author = re.search(r"author\s*=\s*\{(.*?)\},?\s*\n", body, re.S)
        year = re.search(r"year\s*=\s*\{?(\d{4})", body)
        names = [a.strip() for a in re.split(r"\s+and\s+", author.group(1))] if author else ["Anon."]
        # "{The MathWorks}" is one name, as BibTeX reads braces; else the family name
        last = [n.strip(" {}") if n.startswith("{") else n.split(",")[0].strip(" {}") if "," in n
                else n.split()[-1].strip(" {}") for n in names]
        who = last[0] if len(last) == 1 else f"{last[0]} and {last[1]}" if len(last) == 2 else f"{last[0]} et al."
        out[key] = f"{who} {year.group(1) if year else 'n.d.'}"
    return out


def _glue_text(key_spec: str, ctx: Context) -> str:
    key, _, spec = key_spec.partition(":")
    if key not in ctx.glue:
        raise KeyError(f"{{glue:text}} `{key}` has no value in the build's record")
    raw = ctx.glue[key]
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = raw.strip("'\"")
    return format(value, spec) if spec else str(value)


def _ref(body: str, ctx: Context) -> str:
    m = re.fullmatch(r"(.*?)\s*<([\w-]+)>", body, re.S)
    text, label = (m.group(1), m.group(2)) if m else ("", body.strip())
    if label not in ctx.labels:
        raise KeyError(f"{{ref}} `{label}`: no such label in the book")
    page, title = ctx.labels[label]
    return f"[{text or title}]({ctx.base_url}{page}.html#{label})"


def _cite(body: str, ctx: Context) -> str:
    return "(" + "; ".join(ctx.citations.get(k.strip(), k.strip()) for k in body.split(",")) + ")"


def _roles(text: str, ctx: Context) -> str:
    text = re.sub(r"\{glue:text\}`([^`]+)`", lambda m: _glue_text(m.group(1), ctx), text)
    text = re.sub(r"\{glue\}`([^`]+)`", lambda m: _glue_text(m.group(1), ctx), text)
    text = re.sub(r"\{ref\}`([^`]+)`", lambda m: _ref(m.group(1), ctx), text)
    text = re.sub(r"\{cite(?::\w+)?\}`([^`]+)`", lambda m: _cite(m.group(1), ctx), text)
    text = re.sub(r"\{numref\}`([^`]+)`", "the figure below", text)
    text = re.sub(r"\{(?:func|class|meth|mod|attr|py:\w+)\}`~?([^`]+)`", r"`\1`", text)
    text = re.sub(r"\{math\}`([^`]+)`", r"$\1$", text)
    text = re.sub(r"\{doc\}`([^`<]*?)\s*<?([^`<>]*)>?`", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"\{term\}`([^`]+)`", r"\1", text)
    return text


def plain(source: str, ctx: Context) -> str:
    """One MyST Markdown cell as plain Jupyter Markdown."""
    out: list[str] = []
    quote = 0  # inside an admonition: its lines are quoted
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if re.match(r"^\([\w-]+\)=\s*$", stripped):
            i += 1
            continue
        m = re.match(r"^(:{3,}|`{3,})\{(" + "|".join(_ADMONITIONS) + r")\}\s*(.*)$", stripped)
        if m:
            title = m.group(3) or m.group(2).capitalize()
            i += 1
            while i < len(lines) and re.match(r"^\s*:[\w-]+:", lines[i]):
                i += 1  # the directive's options (:class: tip)
            out.append("> " * quote + f"> **{_roles(title, ctx)}**")
            out.append("> " * (quote + 1))
            quote += 1
            continue
        other = re.match(r"^(:{3,}|`{3,})\{([\w:-]+)\}", stripped)
        if other:  # a directive only the built book renders (a table of execution times, …)
            fence = other.group(1)
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                i += 1
            i += 1
            out.append("> " * quote + f"*(The built book shows a `{other.group(2)}` here.)*")
            continue
        if quote and re.match(r"^(:{3,}|`{3,})\s*$", stripped):
            quote -= 1
            i += 1
            continue
        text = _roles(line, ctx)
        out.append(("> " * quote + text) if quote else text)
        i += 1
    return "\n".join(out).strip("\n")


_LEFTOVERS = [
    (r"^\([\w-]+\)=\s*$", "a (label)= line"),
    (r"^(:::|```)\{", "a MyST directive"),
    (r"\{[a-z:]+\}`", "a MyST role"),
    (r"^:::\s*$", "a MyST fence"),
]


def leftover_myst(markdown: str) -> list[str]:
    """What in ``markdown`` is still MyST syntax (empty: plain Markdown)."""
    found = []
    for n, line in enumerate(markdown.splitlines(), 1):
        for pattern, what in _LEFTOVERS:
            if re.search(pattern, line.strip()):
                found.append(f"line {n}: {what}: {line.strip()[:80]}")
    return found
