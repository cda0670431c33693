"""The twins' Markdown: MyST rewritten into what Jupyter and Colab render (tools/plain_markdown.py)."""

from __future__ import annotations

import pytest

from tools.plain_markdown import Context, citations, leftover_myst, plain
from tests.conftest import ROOT

CTX = Context(
    labels={"pg-bandit": ("book/05-policy-gradients", "An exact check on a bandit")},
    citations={"williams1992": "Williams 1992", "sutton2000": "Sutton et al. 2000"},
    glue={"z_max": "1.3500474327367435", "n": "40000", "name": "'db4'"},
    base_url="https://example.org/book/",
)

MYST = """(pg-exercises)=
## Exercises

See {ref}`the bandit <pg-bandit>` and {ref}`pg-bandit`, after {cite}`williams1992,sutton2000`.
Within {glue:text}`z_max:.1f` standard errors, {glue:text}`n:,d` pulls, wavelet {glue:text}`name`;
{func}`companion.rl.train_reinforce` and {numref}`fig-pg-spread`.

:::{admonition} Exercise 1 — a baseline
:class: tip
What does $b$ change?

Two paragraphs.
:::
"""


def test_myst_becomes_plain_markdown() -> None:
    out = plain(MYST, CTX)
    assert out.splitlines()[0] == "## Exercises"  # the label line is gone
    assert "[the bandit](https://example.org/book/book/05-policy-gradients.html#pg-bandit)" in out
    assert "[An exact check on a bandit](https://example.org/book/book/05-policy-gradients.html#pg-bandit)" in out
    assert "(Williams 1992; Sutton et al. 2000)" in out
    assert "Within 1.4 standard errors, 40,000 pulls, wavelet db4;" in out
    assert "`companion.rl.train_reinforce` and the figure below" in out
    assert "> **Exercise 1 — a baseline**\n> \n> What does $b$ change?\n> \n> Two paragraphs." in out
    assert leftover_myst(out) == []
    assert leftover_myst(MYST)  # the check finds MyST where there is some


def test_unknown_labels_and_glue_keys_fail_loudly() -> None:
    with pytest.raises(KeyError, match="no-such-label"):
        plain("{ref}`no-such-label`", CTX)
    with pytest.raises(KeyError, match="missing"):
        plain("{glue:text}`missing:.2f`", CTX)


def test_every_citation_key_of_the_book_gets_an_author_and_a_year() -> None:
    cites = citations(ROOT / "book" / "references.bib")
    assert cites["rumelhart1986"] == "Rumelhart et al. 1986"
    assert cites["kingma2015"] == "Kingma and Ba 2015"
    assert cites["hyvarinen2000"] == "Hyvärinen and Oja 2000"  # BibTeX accents as Unicode
    assert cites["trainlm_doc"] == "The MathWorks n.d."  # no year: "n.d.", as the book prints it
    assert all(text.split()[-1].isdigit() or text.endswith(" n.d.") for text in cites.values()), cites
