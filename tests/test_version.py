"""The version check every chapter's first cell makes."""

import pytest

import companion
from companion._version import VersionMismatchError


def test_require_accepts_the_installed_version():
    assert companion.require(companion.__version__) is None  # silent: no output in a chapter's first cell


def test_require_explains_the_fix_on_a_mismatch():
    with pytest.raises(VersionMismatchError) as exc:
        companion.require("0.0.1")
    message = str(exc.value)
    assert "0.0.1" in message and companion.__version__ in message
    assert "pip install -e ." in message and "git+" in message


def test_require_rejects_a_non_string():
    with pytest.raises(TypeError, match="version string"):
        companion.require(1.0)


def test_submodules_load_on_first_use():
    assert companion.widgets.slider is not None
    with pytest.raises(AttributeError, match="no attribute"):
        companion.no_such_thing  # noqa: B018
