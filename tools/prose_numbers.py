"""Numbers typed into a chapter's prose: the ones a glue role should carry instead.

A number the code computes must reach the text through ``glue`` (issue 14, §2), or the prose
drifts from the outputs the moment the code changes. This module finds every digit in the
prose of a MyST chapter, outside the places where digits belong: code cells and inline code,
maths, roles (``{glue:text}``, ``{ref}``, ``{cite}``, …), labels, directive options, link
targets and HTML. What is left is either a number to glue or a number the text means as it
is written: a year, a question number (Q05), an 8×8 image, "chapter 4", a parameter the
reader sets. Those are listed, per chapter, in ``book/_prose_numbers.txt``.

Run ``python tools/prose_numbers.py book/05-policy-gradients.md`` to see a chapter's numbers
with their context, marked: allowlisted, written in the code too (likely a setting), or
neither (likely a result to glue).
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = ROOT / "book" / "_prose_numbers.txt"

# Digits a reader needs as written, in any chapter: years, question numbers, chapter and
# section numbers, sizes such as 8×8, names with digits (CartPole-v1, db4, float64, Q05),
# and numbered list items.
GENERIC = [
    r"\b(19|20)\d\d\b",  # a year (of a paper, a release)
    r"\bQ\d\d\b",  # a question of book/questions.md
    r"\b\d+\s*[×x]\s*\d+(\s*[×x]\s*\d+)*\b",  # a size: 8×8, 3×3, 64×64×3
    r"\b(chapters?|Chapters?|Exercises?|exercise|Figure|figure|Fig\.|section|Section|part|Part|"
    r"step|Step|level|Level|levels|layer|Layer|version|Version)\s+\d+(\s*(–|-|,|and|or)\s*\d+)*\b",
    r"\b[A-Za-z_]+[A-Za-z_.-]*\d+[A-Za-z0-9_]*\b",  # a name with digits: db4, float64, v1, L2, conv1
    r"^\s*\d+\.\s",  # a numbered list item
    r"^#+\s+\d+\.",  # a numbered heading: "## 2. Recording"
    r"§\s*\d+",  # a section of this chapter: §2
]

# 0.56, −3, 1,300, 20 000 (a thin or plain space between thousands), 97 %, 170°
_NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:[,\u2009\u202f ]\d{3}(?!\d))*(?:\.\d+)?(?:\s?%|°)?")
_FENCE = re.compile(r"^(```+|~~~+|:::+)")


@dataclass(frozen=True)
class Hit:
    line: int
    number: str
    context: str  # the sentence fragment around it, as the allowlist quotes it


def _strip_inline(text: str) -> str:
    """Blank out what is not prose on one line, keeping the columns."""
    def blank(m: re.Match) -> str:
        return " " * len(m.group(0))

    patterns = [
        r"\{[a-z:-]+\}`[^`]*`",  # roles: {glue:text}`key:.2f`, {ref}`x`, {cite}`a,b`, {math}`…`
        r"``[^`]*``|`[^`]*`",  # inline code
        r"\$\$.*?\$\$|\$[^$]+\$",  # inline maths
        r"\\\(.*?\\\)",
        r"\]\([^)]*\)",  # link targets
        r"<[^>]+>",  # HTML tags
        r"https?://\S+",
        r"\[\^?[\w-]+\]",  # footnote marks
    ]
    for p in patterns:
        text = re.sub(p, blank, text)
    return text


_PROSE_DIRECTIVE = re.compile(r"\{(admonition|note|tip|warning|important|seealso|figure|glue:figure|margin|"
                              r"dropdown|caution|attention|hint|epigraph|sidebar)\}")


def prose_lines(source: str) -> list[tuple[int, str]]:
    """``(line number, prose text)`` for the lines of a MyST chapter that are prose.

    Fenced blocks are skipped (code cells, code, raw HTML, ``eval-rst``) except the prose
    directives (admonitions, figures), whose options are skipped and whose body is read.
    """
    out: list[tuple[int, str]] = []
    lines = source.splitlines()
    start = lines.index("---", 1) + 1 if lines and lines[0].strip() == "---" else 0
    stack: list[tuple[str, bool]] = []  # open fences: (marker, is a prose directive)
    math_block = False
    for n in range(start, len(lines)):
        stripped = lines[n].strip()
        m = _FENCE.match(stripped)
        if stack and stripped == stack[-1][0]:
            stack.pop()
            continue
        if m and (not stack or stack[-1][1]):
            stack.append((m.group(1), bool(_PROSE_DIRECTIVE.match(stripped[len(m.group(1)):].strip()))))
            continue
        if stack and (not stack[-1][1] or re.match(r"^:[\w-]+:", stripped)):
            continue  # code, or a directive option (:class:, :name:, :alt: …)
        if math_block or stripped.startswith("$$"):
            opens = stripped.startswith("$$") and not (len(stripped) > 2 and stripped.endswith("$$"))
            closes = stripped.endswith("$$")
            if not math_block and opens:
                math_block = True
            elif math_block and closes:
                math_block = False
            continue
        if re.match(r"^\([\w-]+\)=\s*$", stripped) or stripped.startswith(("+++", "%")):
            continue  # a label, a cell break, a comment
        if re.match(r"^\|[\s:|-]+\|?$", stripped):
            continue  # a table's rule
        out.append((n + 1, _strip_inline(lines[n])))
    return out


def code_literals(source: str) -> set[float]:
    """Every number written as a literal in the chapter's code cells (settings, asserted bounds)."""
    values: set[float] = set()
    for cell in re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```", source, flags=re.S | re.M):
        code = "\n".join(line for line in cell.splitlines() if not line.startswith((":", "%", "!")))
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            continue
        for tok in tokens:
            if tok.type == tokenize.NUMBER and not tok.string.endswith(("j", "J")):
                values.add(float(int(tok.string, 0)) if tok.string[:2].lower() in ("0x", "0o", "0b")
                           else float(tok.string))
    return values


def value_of(number: str) -> float:
    """The value a prose number means: separators, %, ° and the minus sign dropped."""
    text = re.sub(r"[,\u2009\u202f ]", "", number).replace("−", "-").rstrip("%°")
    return float(text)


def typed_numbers(source: str) -> list[Hit]:
    """Every number in the prose of ``source`` that no generic rule allows."""
    lines = source.splitlines()
    hits: list[Hit] = []
    for n, text in prose_lines(source):
        allowed = [m.span() for p in GENERIC for m in re.finditer(p, text)]
        for m in _NUMBER.finditer(text):
            if any(a <= m.start() and m.end() <= b for a, b in allowed):
                continue
            # a few words either side, from the source line (same columns as ``text``)
            original = lines[n - 1]
            start = original.rfind(" ", 0, max(0, m.start() - 10)) + 1
            end = original.find(" ", min(len(original), m.end() + 8))
            context = " ".join(original[start: end if end >= 0 else len(original)].split())
            hits.append(Hit(n, m.group(0), context))
    return hits


def is_code_literal(number: str, literals: set[float]) -> bool:
    """Whether the chapter's code writes this number (80 % also matches 0.8): a hint, when
    triaging, that it is a setting or an asserted bound rather than a result."""
    value = abs(value_of(number))
    return value in literals or (number.endswith("%") and any(abs(value / 100 - v) < 1e-12 for v in literals))


def read_allowlist(path: Path = ALLOWLIST) -> dict[str, list[str]]:
    """``{chapter file name: [quoted fragments]}`` from the allowlist file."""
    entries: dict[str, list[str]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            entries.setdefault(current, [])
        elif current is not None:  # "fragment  # why it is typed, not glued"
            entries[current].append(line.split("  #")[0].strip())
    return entries


def unexplained(chapter: Path, allow: dict[str, list[str]]) -> list[Hit]:
    """The hits of ``chapter`` whose line quotes no allowlisted fragment containing the number."""
    text = chapter.read_text(encoding="utf-8")
    lines = text.splitlines()
    frags = allow.get(chapter.name, [])
    left = []
    for hit in typed_numbers(text):
        src = " ".join(lines[hit.line - 1].split())
        if not any(hit.number in f and f in src for f in frags):
            left.append(hit)
    return left


def main(argv: list[str]) -> int:
    """Print every typed number: "  " allowlisted, "!=" unexplained but written in the code
    too (likely a setting), "!!" unexplained (likely a result to glue)."""
    allow = read_allowlist() if ALLOWLIST.exists() else {}
    total = 0
    for name in argv or sorted(str(p) for p in (ROOT / "book").glob("[0-9]*.md")):
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        left = {(h.line, h.number) for h in unexplained(path, allow)}
        literals = code_literals(text)
        for h in typed_numbers(text):
            if (h.line, h.number) not in left:
                mark = "  "
            else:
                mark = "!=" if is_code_literal(h.number, literals) else "!!"
            print(f"{mark} {path.name}:{h.line}: {h.number!r:10} … {h.context}")
        total += len(left)
    print(f"{total} typed numbers neither glued nor allowlisted")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
