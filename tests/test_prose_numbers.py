"""No number typed into a chapter's prose that the code computes (issue 14, §2).

Every digit in the prose, outside maths, code, roles (``{glue:text}``, ``{ref}``, ``{cite}``),
labels and directive options, is either allowed everywhere (years, Q05, 8×8, "chapter 4"…) or
quoted, with the reason it is typed, in ``book/_prose_numbers.txt``. Anything else is a number
to glue from the run: it fails here.
"""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tools.prose_numbers import read_allowlist, typed_numbers, unexplained

CHAPTERS = sorted((ROOT / "book").glob("[0-9]*.md"))
ALLOW = read_allowlist()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_every_typed_number_is_glued_or_explained(chapter) -> None:
    left = unexplained(chapter, ALLOW)
    listing = "\n".join(f"  {chapter.name}:{h.line}: {h.number!r} in …{h.context}…" for h in left)
    assert not left, (
        f"{len(left)} number(s) typed into the prose of {chapter.name}: glue each one the code "
        f"computes; quote the others in book/_prose_numbers.txt with the reason\n{listing}"
    )


def test_allowlist_has_no_stale_entries() -> None:
    """Each quoted fragment still stands on a line of its chapter and covers one of its numbers."""
    names = {p.name for p in CHAPTERS}
    assert set(ALLOW) <= names, f"unknown chapters in the allowlist: {sorted(set(ALLOW) - names)}"
    stale = []
    for chapter in CHAPTERS:
        lines = chapter.read_text(encoding="utf-8").splitlines()
        hits = typed_numbers("\n".join(lines))
        for frag in ALLOW.get(chapter.name, []):
            used = any(h.number in frag and frag in " ".join(lines[h.line - 1].split()) for h in hits)
            if not used:
                stale.append(f"{chapter.name}: {frag}")
    assert not stale, "allowlisted fragments that match no typed number any more:\n" + "\n".join(stale)


SAMPLE = """---
jupytext: {}
---

(sample-label)=
# A chapter 3 sample

The accuracy reached 0.56 after training, and the loss fell by 97 %.
It took 20 000 steps; {glue:text}`steps:,d` is glued and `lr=0.5` is code.
In 2015 Q05's asker used 8×8 images and db4 wavelets; $x = 3.5$ is maths.

$$
y = 2x + 1
$$

```{code-cell} ipython3
x = 12345
```

:::{admonition} Exercise 2
:class: tip
What is $\\varepsilon$ at step 700? Try a rate of 0.25.
:::

## 3. A numbered heading
1. a numbered item, with [a link](https://example.org/v2/page7) and {cite}`paper2019`
"""


def test_the_scanner_finds_typed_results_and_nothing_else() -> None:
    found = [h.number for h in typed_numbers(SAMPLE)]
    # typed results, thousands with a space, inside an admonition's body
    assert found == ["0.56", "97 %", "20 000", "0.25"]


def test_an_allowlisted_fragment_covers_only_its_own_line(tmp_path) -> None:
    chapter = tmp_path / "09-sample.md"
    chapter.write_text(SAMPLE, encoding="utf-8")
    allow = {"09-sample.md": ["a rate of 0.25.", "took 20 000 steps"]}
    assert [h.number for h in unexplained(chapter, allow)] == ["0.56", "97 %"]
    # a fragment that is on the line but does not contain the number allows nothing
    allow = {"09-sample.md": ["The accuracy reached", "a rate of 0.25.", "took 20 000 steps"]}
    assert [h.number for h in unexplained(chapter, allow)] == ["0.56", "97 %"]
