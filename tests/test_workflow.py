"""Publishing: the GitHub Actions workflow is valid (GitHub's schema, checked offline), runs the
same .ci/run as every other CI in a Debian container, and deploys the build it tested to GitHub
Pages with the official actions only from main; the site it publishes is findable (baseurl,
sitemap), has a 404 page, and its front page links the PDF, changelog, licence and citation."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, offline_prefix

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
BASEURL = CONFIG["html"]["baseurl"]
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
PDF = "gradients-and-signals.pdf"
PAGES_ACTIONS = {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}
ON_MAIN = ("github.event_name == 'push'", "github.ref == 'refs/heads/main'")


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess:
    """check-jsonschema with the network cut where this machine can (the schemas it is given
    are the ones vendored in the package: nothing is downloaded)."""
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).with_name("check-jsonschema"))
    return subprocess.run(offline_prefix() + [exe, *map(str, args)], capture_output=True, text=True)


def workflow() -> dict:
    (path,) = [p for p in WORKFLOWS if ".ci/run" in p.read_text()]
    wf = yaml.safe_load(path.read_text())
    wf["on"] = wf.pop(True, wf.get("on"))  # YAML 1.1 reads the key `on` as True
    return wf


def steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def test_workflows_are_valid_github_workflows() -> None:
    assert WORKFLOWS, "no workflow in .github/workflows"
    result = check_jsonschema("--builtin-schema", "vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    step:\n      - run: true\n")
    result = check_jsonschema("--builtin-schema", "vendor.github-workflows", broken)
    assert result.returncode == 1 and "'step' was unexpected" in result.stdout


def test_citation_file_is_valid() -> None:
    result = check_jsonschema("--builtin-schema", "vendor.citation-file-format", ROOT / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["repository-code"] == REPOSITORY and cff["url"] == BASEURL and cff["license"] == "MIT"


def test_ci_runs_the_same_script_in_a_debian_container() -> None:
    """One definition of green: every push and pull request runs `.ci/run`, the script local CI
    runs, and no step of the workflow checks anything else."""
    wf = workflow()
    assert "main" in wf["on"]["push"]["branches"] and "pull_request" in wf["on"]
    runs = {name: job for name, job in wf["jobs"].items() if any(".ci/run" in s.get("run", "") for s in steps(job))}
    assert len(runs) == 1, "exactly one job runs .ci/run"
    (name, job), = runs.items()
    assert "if" not in job, f"{name} runs on every push and pull request"
    image = job["container"]["image"] if isinstance(job["container"], dict) else job["container"]
    assert re.fullmatch(r"(python:3\.1[1-9]-(bookworm|trixie)|debian:(bookworm|trixie|\d+)(-slim)?)", image), image
    checkout = [s for s in steps(job) if uses(s) == "actions/checkout"]
    assert len(checkout) == 1 and checkout[0]["with"]["fetch-depth"] == 0, "full history: tags matter"
    commands = [s["run"] for s in steps(job) if "run" in s]
    assert [c for c in commands if ".ci/run" in c] == ["bash .ci/run"]
    for line in "\n".join(commands).splitlines():
        assert not re.match(r"\s*(pytest|ruff|python3?|jupyter-book|playwright)\b", line), \
            f"a check that .ci/run does not make: {line!r}"
    assert job.get("env", {}).get("CI") == "true"


def test_pages_deploy_with_the_official_actions_only_from_main() -> None:
    wf = workflow()
    assert wf["permissions"] == {"contents": "read"}, "write permissions only where the deploy needs them"
    used = {uses(s) for job in wf["jobs"].values() for s in steps(job) if "uses" in s}
    assert PAGES_ACTIONS <= used and used <= PAGES_ACTIONS | {"actions/checkout"}, used
    for job in wf["jobs"].values():
        for step in steps(job):
            if uses(step) in PAGES_ACTIONS:
                condition = step.get("if", "") + " " + job.get("if", "")
                assert all(c in condition for c in ON_MAIN), f"{uses(step)} runs only for a push to main"
    (deploy,) = [job for job in wf["jobs"].values() if any(uses(s) == "actions/deploy-pages" for s in steps(job))]
    assert all(c in deploy["if"] for c in ON_MAIN)
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    tested = [name for name, job in wf["jobs"].items() if any(".ci/run" in s.get("run", "") for s in steps(job))]
    assert deploy["needs"] in (tested[0], tested), "the deploy waits for .ci/run to pass"


def test_the_deployed_site_is_the_build_ci_tested() -> None:
    """The Pages artifact is the book that .ci/run's tests built (strict, offline, every page):
    pytest's --basetemp fixes where `built_book` (tests/conftest.py) puts it; the PDF goes beside."""
    wf = workflow()
    (job,) = [j for j in wf["jobs"].values() if any(".ci/run" in s.get("run", "") for s in steps(j))]
    basetemp = re.fullmatch(r"--basetemp=(\S+)", job["env"]["PYTEST_ADDOPTS"]).group(1)
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert 'tmp_path_factory.mktemp("book")' in conftest and '"--path-output", str(out)' in conftest, \
        "built_book moved: update where the workflow takes the tested build from"
    (site,) = [s for s in steps(job) if "run" in s and "html" in s["run"] and "cp" in s["run"]]
    assert f"built={basetemp}/book0/_build" in site["run"]
    assert f"_build/pdf/{PDF}" in site["run"] and 'if [ -f "$pdf" ]' in site["run"]
    (upload,) = [s for s in steps(job) if uses(s) == "actions/upload-pages-artifact"]
    assert f"{upload['with']['path']}/" in site["run"], "the artifact is the folder the step fills"


def test_the_site_is_findable() -> None:
    """html_baseurl is the GitHub Pages address of repository.url; a sitemap lists the pages."""
    owner, name = REPOSITORY.removeprefix("https://github.com/").split("/")
    assert BASEURL == f"https://{owner.lower()}.github.io/{name}/"
    assert "sphinx_sitemap" in CONFIG["sphinx"]["extra_extensions"]
    assert CONFIG["sphinx"]["config"]["sitemap_url_scheme"] == "{link}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if a.get("src") or (tag == "link" and a.get("href")):
            self.loads.append(a.get("src") or a["href"])


def test_404_page_works_at_any_depth() -> None:
    assert "book/404.html" in CONFIG["sphinx"]["config"]["html_extra_path"]
    page = _Links()
    page.feed((ROOT / "book" / "404.html").read_text())
    assert page.loads == [], "it loads nothing (inline style and script)"
    assert page.hrefs and all(h.startswith((BASEURL, REPOSITORY + "/")) for h in page.hrefs), page.hrefs
    assert BASEURL in page.hrefs


def test_front_page_links_pdf_changelog_licence_and_citation() -> None:
    intro = (ROOT / "book" / "intro.md").read_text()
    links = re.findall(r"\]\(([^)]+)\)", intro) + re.findall(r"<(https://[^>]+)>", intro)
    assert BASEURL + PDF in links, "the PDF the deploy puts beside the HTML"
    assert BASEURL in links
    for name in ("CHANGELOG.md", "LICENSE", "CITATION.cff"):
        assert f"{REPOSITORY}/blob/main/{name}" in links, name
        assert (ROOT / name).is_file(), name
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    bibtex = re.search(r"```bibtex\n(@book\{gradients_and_signals,.*?)\n```", intro, re.S)
    assert bibtex and re.search(r"url\s*=\s*\{" + re.escape(BASEURL) + r"\}", bibtex.group(1))


@pytest.mark.book
@pytest.mark.slow
def test_built_site_has_sitemap_and_404(built_book: Path) -> None:
    html = built_book / "html"
    assert (html / "404.html").read_text() == (ROOT / "book" / "404.html").read_text()
    sitemap = (html / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{BASEURL}book/intro.html" in locs and f"{BASEURL}book/01-backprop.html" in locs
    assert all(loc.startswith(BASEURL) for loc in locs) and not any("search.html" in loc for loc in locs)
    intro = (html / "book" / "intro.html").read_text()
    assert f'<link rel="canonical" href="{BASEURL}book/intro.html"' in intro
