"""The Jupyter extension: notebooks executed headless by nbclient with a real IPython kernel.

The kernel runs this venv's Python (a kernelspec written to a temporary JUPYTER_PATH), so
the tests exercise exactly what is installed: ``%load_ext dash_personas_jupyter``,
``%personas``, ``show_personas`` and the example notebook in ``examples/``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import ipykernel  # noqa: F401  (the kernel the notebooks run in; a test dependency)
import nbclient
import nbformat
import pandas as pd
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "segmenting-a-survey.ipynb"
KERNEL = "dash-personas-test"
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    """A kernelspec for this interpreter, found through a temporary JUPYTER_PATH."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "dash-personas tests", "language": "python"}), encoding="utf-8")
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(folder)
    yield KERNEL
    if old is None:
        os.environ.pop("JUPYTER_PATH", None)
    else:
        os.environ["JUPYTER_PATH"] = old


def _run(nb, kernel_name, cwd, while_alive=None, timeout=300):
    """Execute every cell (errors recorded, not raised); ``while_alive(nb)`` runs before
    the kernel (and the servers it started) shut down."""
    client = nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=timeout,
                                     allow_errors=True,
                                     resources={"metadata": {"path": str(cwd)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        if while_alive is not None:
            while_alive(nb)
    return nb


def _outputs(cell, kind=None):
    return [o for o in cell.get("outputs", []) if kind is None or o.output_type == kind]


def _html(cell) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for o in _outputs(cell))


def _text(cell) -> str:
    parts = []
    for o in _outputs(cell):
        parts.append(o.get("text", ""))
        parts.append(o.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def _notebook(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_example_notebook_runs_the_whole_journey(kernel_name, tmp_path):
    nb = nbformat.read(EXAMPLE, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "ship the example without outputs"
    code = [c for c in nb.cells if c.cell_type == "code"]
    served = {}

    def fetch_dashboard(nb):
        cell = next(c for c in code if "show_personas(personas)" in c.source)
        match = re.search(r'<iframe[^>]*src="(http://127\.0\.0\.1:\d+/)"', _html(cell))
        assert match, _html(cell)[:500]
        served["url"] = match.group(1)
        served["layout"] = requests.get(match.group(1) + "_dash-layout", timeout=30).text
        served["index"] = requests.get(match.group(1), timeout=30).status_code

    start = time.perf_counter()
    _run(nb, kernel_name, tmp_path, fetch_dashboard)
    elapsed = time.perf_counter() - start
    errors = [(c.source[:60], o.get("ename"), o.get("evalue"))
              for c in code for o in _outputs(c, "error")]
    assert errors == []
    assert elapsed < 180  # ~15 s on two cores; generous for a loaded CI machine

    work = tmp_path / "survey-output"
    for name in ("survey.yaml", "build/codebook.json", "responses.csv", "scores.csv",
                 "reliability.json", "planted.csv", "personas.json"):
        assert (work / name).is_file(), name
    assert len(pd.read_csv(work / "scores.csv")) == 1500

    def cell_with(text):
        return next(c for c in code if text in c.source)

    assert "valid" in _text(cell_with("validate"))
    assert "cronbach_alpha" in _html(cell_with("reliability.json"))
    left_out = _text(cell_with("usable_columns"))
    assert "'respondent_id': 'identifier'" in left_out
    assert "'attention_failed': 'data-quality flag'" in left_out
    match = re.search(r"recommended k = (\d+)", _text(cell_with("select_k(")))
    k = int(match.group(1))
    ari = float(re.search(r"ARI\) = ([0-9.]+)", _text(cell_with("adjusted_rand_score"))).group(1))
    assert ari > 0.5  # the segments recover the planted personas

    from dash_personas.personas import load_personas

    personas = load_personas(work / "personas.json")
    assert len(personas) == k
    gallery = _html(cell_with("build_personas("))
    assert gallery.count("class='dash-personas-card'") == k
    for persona in personas:
        assert persona.name in gallery
    assert "dash-personas-comparison" in gallery
    assert "<script" not in gallery  # self-contained, no JS needed

    # the inline dashboard: an iframe to a live Dash server in the kernel
    assert served["index"] == 200
    for persona in personas:
        assert json.dumps(persona.name)[1:-1] in served["layout"]
    summary = _html(cell_with("show_personas(personas)"))
    assert f"Dashboard: <a href='{served['url']}'" in summary

    shortcut = cell_with("%personas scores")
    # (select_k's quick two-restart fits may warn first, on stderr, that restarts disagree)
    shown = [o for o in shortcut["outputs"] if o["output_type"] != "stream"]
    assert shown[0]["output_type"] == "display_data"  # --mode static: cards
    assert _html(shortcut).count("class='dash-personas-card'") >= 2
    assert "chosen by select_k" in _html(shortcut)


def test_magic_function_and_bad_input(kernel_name, tmp_path):
    from dash_personas import make_mixed_blobs

    X, _ = make_mixed_blobs(300, n_clusters=3, random_state=2)
    X.to_csv(tmp_path / "blobs.csv", index=False)
    nb = _notebook(
        "import pandas as pd\n%load_ext dash_personas_jupyter\n"
        "df = pd.read_csv('blobs.csv')",
        "res = %personas df --k 3 --port 0 --height 500\nres",
        "res.personas",
        "bad = pd.DataFrame({'id': range(40), 'note': [f'free text {i}' for i in range(40)],"
        " 'empty': [None] * 40})\n%personas bad --k auto",
        "from dash_personas_jupyter import show_personas\nshow_personas(bad, k=3)",
        "%personas missing_frame",
        "%personas df --k 1",
        "%personas df --k 3 --mode static",
        f"p = res.personas\nevil = p.model_copy(update={{'personas': [p[0].model_copy("
        f"update={{'name': {EVIL!r}}}), *p.personas[1:]]}})\nevil",
    )
    _run(nb, kernel_name, tmp_path)
    cells = nb.cells
    # %personas df --k 3: inline dashboard + a summary of the result
    iframe = _html(cells[1])
    assert re.search(r'<iframe[^>]*height="500"[^>]*src="http://127\.0\.0\.1:\d+/"',
                     iframe, re.S)
    assert "3 personas" in _html(cells[1])
    assert not _outputs(cells[1], "error")
    # the personas render as cards without a server
    assert _html(cells[2]).count("class='dash-personas-card'") == 3
    # no usable columns, through the magic: a clear message, no error output
    assert not _outputs(cells[3], "error")
    message = _html(cells[3])
    assert "Cannot make personas" in message and "no usable columns" in message
    assert "id (identifier)" in message and "note (free text)" in message
    assert "empty (empty)" in message
    # through the function: an error, but one line instead of a traceback wall
    (error,) = _outputs(cells[4], "error")
    assert error["ename"] == "NoUsableColumnsError"
    assert len(error["traceback"]) == 1 and "no usable columns" in error["traceback"][0]
    assert "no variable named 'missing_frame'" in _text(cells[5])
    assert "k must be 'auto' or a whole number" in _text(cells[6])
    assert not _outputs(cells[5], "error") and not _outputs(cells[6], "error")
    static = _html(cells[7])
    assert "<iframe" not in static and static.count("class='dash-personas-card'") == 3
    # persona text is escaped
    evil = _html(cells[8])
    assert "&lt;img src=x onerror=alert(1)&gt;" in evil
    assert EVIL not in evil


# --- without a kernel: the pieces the notebook relies on ---------------------------------


def test_usable_columns_says_why_columns_are_left_out():
    from dash_personas_jupyter import usable_columns

    n = 60
    frame = pd.DataFrame({
        "respondent_id": [f"r{i:03d}" for i in range(n)],
        "score": [i % 7 + 0.5 for i in range(n)],
        "segment_hint": ["a", "b", "c"] * 20,
        "comment": [f"I think {i}" for i in range(n)],
        "constant": [1] * n,
        "nothing": [None] * n,
        "when": list(pd.date_range("2024-01-01", periods=3)) * 20,
        "straightliner": [False, True] * 30,
        "flag": [True, False] * 30,
    })
    keep, dropped = usable_columns(frame)
    assert keep == ["score", "segment_hint", "flag"]
    assert dropped == {"respondent_id": "identifier", "comment": "free text",
                       "constant": "constant", "nothing": "empty", "when": "date/time",
                       "straightliner": "data-quality flag"}


def test_segment_personas_returns_personas_and_labels():
    from dash_personas_jupyter import NoUsableColumnsError, segment_personas

    from dash_personas import make_mixed_blobs

    X, _ = make_mixed_blobs(240, n_clusters=3, random_state=3)
    X.insert(0, "customer_id", range(1000, 1240))
    result = segment_personas(X, k=3)
    assert len(result.personas) == 3
    assert result.dropped == {"customer_id": "identifier"}
    assert set(result.labels) == {p.id for p in result.personas}
    counts = result.labels.value_counts()
    assert {p.id: p.size for p in result.personas} == counts.to_dict()
    assert "<table" in result._repr_html_()
    with pytest.raises(NoUsableColumnsError, match="too few rows"):
        segment_personas(X.head(5), k=3)
    with pytest.raises(NoUsableColumnsError, match="expected a pandas DataFrame"):
        segment_personas([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="k must be"):
        segment_personas(X, k="many")


def test_personas_html_is_self_contained_and_escaped(personas_case):
    from dash_personas_jupyter import personas_html

    people = personas_case.personas
    evil = people.model_copy(update={"personas": [
        people[0].model_copy(update={"name": EVIL, "quote": EVIL, "tagline": "</div><script>"}),
        *people.personas[1:]]})
    html = personas_html(evil)
    assert EVIL not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;/div&gt;&lt;script&gt;" in html
    srcs = re.findall(r"src='([^']*)'", html)
    assert len(srcs) == len(people) and all(s.startswith("data:image/svg+xml") for s in srcs)
    assert "http://" not in html and "https://" not in html
    assert html.count("class='dash-personas-card'") == len(people)


def test_formatters_register_for_the_public_classes_and_unload(personas_case):
    from dash_personas_jupyter import load_ipython_extension, unload_ipython_extension
    from IPython.core.interactiveshell import InteractiveShell

    from dash_personas.personas import Persona, PersonaSet

    shell = InteractiveShell.instance()
    html = shell.display_formatter.formatters["text/html"]
    load_ipython_extension(shell)
    try:
        assert html.lookup_by_type(PersonaSet) is not None
        assert html.lookup_by_type(Persona) is not None
        shown = html(personas_case.personas)
        assert all(p.name in shown for p in personas_case.personas)
    finally:
        unload_ipython_extension(shell)
    for cls in (PersonaSet, Persona):
        with pytest.raises(KeyError):
            html.lookup_by_type(cls)
