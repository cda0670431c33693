"""The companion's version, and the check every chapter's first cell makes."""

__version__ = "0.1.0"

# Where readers install a matching companion from. Keep in step with
# `repository.url` in _config.yml (the README says so too).
REPOSITORY = "https://github.com/gradients-and-signals/gradients-and-signals"


class VersionMismatchError(RuntimeError):
    """The installed companion is not the version a chapter was written for."""


def require(book_version: str) -> None:
    """Check that the installed companion is the one a chapter was written for.

    Every chapter's first code cell calls ``companion.require("X.Y.Z")``.

    Parameters
    ----------
    book_version : str
        The companion version the chapter was executed with when the book was built.

    Raises
    ------
    VersionMismatchError
        When the versions differ; the message gives the exact command that fixes it.
    """
    if not isinstance(book_version, str):
        raise TypeError(f"require() takes a version string such as '0.1.0', got {book_version!r}")
    if book_version != __version__:
        raise VersionMismatchError(
            f"This chapter was written for companion {book_version}, but companion {__version__} "
            "is installed.\nFix it with one of:\n"
            "  pip install -e .                                   # in a checkout of the book\n"
            f'  pip install "gradients-and-signals @ git+{REPOSITORY}@v{book_version}"'
            "   # in Colab or elsewhere\n"
            "then restart the kernel."
        )
