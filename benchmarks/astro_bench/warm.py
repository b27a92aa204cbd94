"""Scenarios 2-5: rebuilds from a warm cache (no change, a DAG edit, a requirements edit, a new
base tag on the same OS)."""

from __future__ import annotations

import re
import uuid

from astro_pyenv_frontend import layout

from .buildlog import Build, Step
from .config import ENVIRONMENTS, RUNTIME_BASE, RUNTIME_IMAGE, log
from .flags import build_flags
from .project import append_line, scratch_dir, set_base
from .results import Row, Side
from .runner import Runner, interleave


def pyenv_runs(b: Build) -> list[Step]:
    """The RUN steps a build executed, but for the secrets digest: it runs on every build of ours,
    by design (docs/security.md: the venv steps' secrets in their cache key; 0.1 s), and is not
    PYENV work to redo."""
    return [s for s in b.executed_runs() if s.stage != layout.SECRETS_DIGEST_STAGE]


def no_change(r: Runner) -> None:
    """2: rebuild with no change."""
    row = r.results.row("2", "2. rebuild, no change", target="–", met="–")
    r.ensure_warm()
    for turn in interleave(r.options.runs):
        b = r.build(turn.side, f"nochange{turn.index + 1}")
        row.add(turn.side, b.seconds)
        if pyenv_runs(b):
            row.notes.append(
                f"{turn.side} run {turn.index + 1} executed RUN steps: {[s.text[:60] for s in pyenv_runs(b)]}"
            )


def dag_edit(r: Runner) -> None:
    """3: rebuild after appending a unique comment to the DAG file (before each pair)."""
    row = r.results.row("3", "3. rebuild after a DAG edit", target="no PYENV step runs")
    r.ensure_warm()
    dag = r.project / "dags" / "example_dag.py"
    ran: dict[Side, list[str]] = {"ours": [], "baseline": []}
    for turn in interleave(r.options.runs):
        if turn.first:  # the first build of each pair edits
            append_line(dag, f"# edited by the benchmark: {uuid.uuid4()}")
        b = r.build(turn.side, f"dag{turn.index + 1}")
        row.add(turn.side, b.seconds)
        ran[turn.side] += [s.text[:70] for s in pyenv_runs(b)]
    row.met = "yes" if not ran["ours"] else "no"
    row.notes.append(f"RUN steps executed after a DAG edit: ours {len(ran['ours'])}, baseline {len(ran['baseline'])}")


def requirements_edit(r: Runner) -> None:
    """4: rebuild after appending a unique comment to the first environment's requirements file.

    The baseline recompiles CPython here, so it runs in the first ``--heavy-runs`` pairs only.
    """
    row = r.results.row("4", "4. rebuild after editing the 1st env's requirements",
                        target="only that env's install runs")  # fmt: skip
    r.ensure_warm()
    req = r.project / "requirements-snowpark.txt"
    ours_stages: set[str] = set()
    base_runs: list[int] = []
    base_compiles: list[int] = []
    for turn in interleave(r.options.runs, limits={"baseline": r.options.heavy_runs}):
        if turn.first:
            append_line(req, f"# edited by the benchmark: {uuid.uuid4()}")
        b = r.build(turn.side, f"req{turn.index + 1}")
        row.add(turn.side, b.seconds)
        if turn.side == "ours":
            ours_stages.update(s.stage for s in pyenv_runs(b))
        else:
            base_runs.append(len(b.executed_runs()))
            base_compiles.append(len([s for s in b.executed_runs() if "python-build" in s.text]))
    row.met = "yes" if ours_stages <= {"pyenv-venv-snowpark"} and ours_stages else "no"
    row.notes.append(
        f"stages with executed RUN steps in ours: {sorted(ours_stages)}; baseline executed "
        f"{base_runs} RUN steps per run, of which {base_compiles} CPython compiles (every PYENV step after the edit)"
    )


def new_base(r: Runner) -> None:
    """5: rebuild on a new tag of the base image (the ``-base`` image plus one file, same OS),
    derived before each pair; the baseline runs in the first ``--heavy-runs`` pairs only.

    Ours takes the prebuilt interpreters when the frontend image's catalog has them (the default);
    5b is ours with ``ASTRO_PYENV_PREBUILT=off``, where interpreters are reused only through the
    layer cache (never from a shared cache mount, docs/security.md), so a new base compiles each
    version once (``--heavy-runs`` builds).
    """
    row = r.results.row(
        "5", "5. rebuild on a new base tag, same OS", target="no CPython compiled, nothing else rebuilt"
    )
    off_row = r.results.row(
        "5b",
        "5b. the same with prebuilt interpreters off",
        target="each version compiled once (the price of docs/security.md)",
    )
    r.ensure_warm()  # fills the layer cache and the CPython source cache
    prebuilt: list[int] = []
    compiled: list[int] = []
    base_compiles: list[int] = []
    repo, _, tag = RUNTIME_IMAGE.rpartition(":")
    major_minor = tag.rsplit(".", 1)[0] if tag.count(".") >= 2 else tag
    for turn in interleave(r.options.runs, limits={"baseline": r.options.heavy_runs}):
        new_tag = f"{repo}:{major_minor}.{100 + turn.index}"
        new_base_tag = new_tag + "-base"
        if turn.first:
            derive_base(r, new_base_tag, turn.index)
            set_base(r.project, new_tag)
        if turn.side == "ours":
            b = r.build("ours", f"newbase{turn.index + 1}")
            row.ours.append(b.seconds)
            prebuilt.append(len(re.findall(r"astro-pyenv: CPython \S+: prebuilt for", b.log)))
            compiled.append(len(re.findall(r"astro-pyenv: compiling CPython", b.log)))
        else:
            b = r.build("baseline", f"newbase{turn.index + 1}", build_args={"RUNTIME_IMAGE": new_base_tag})
            row.baseline.append(b.seconds)
            base_compiles.append(len([s for s in b.executed_runs() if "python-build" in s.text]))
    off_compiled = _new_base_prebuilt_off(r, off_row, f"{repo}:{major_minor}")
    off_row.baseline.extend(row.baseline)
    set_base(r.project, RUNTIME_IMAGE)
    r.warm = False  # the last builds were on another base
    versions = len(set(ENVIRONMENTS.values()))
    row.met = "yes" if not any(compiled) and all(p == versions for p in prebuilt) else "no"
    off_row.met = "yes" if all(c == versions for c in off_compiled) else "no"
    row.notes.append(
        f"each run derives a new image (the base + one file, new image id) tagged {repo}:{major_minor}.1xx(-base); "
        f"ours per run: CPython prebuilt {prebuilt}, compiled {compiled}; "
        f"baseline CPython compiles per run: {base_compiles}"
    )
    off_row.notes.append(
        f"ours with ASTRO_PYENV_PREBUILT=off on a new derived base ({major_minor}.2xx) per run: "
        f"CPython compiled {off_compiled}; baseline as in 5"
    )


def _new_base_prebuilt_off(r: Runner, off_row: Row, repo_series: str) -> list[int]:
    """5b: ours with prebuilt interpreters off on a new derived base per run; CPythons compiled per run."""
    off_compiled: list[int] = []
    for i in range(r.options.heavy_runs):
        new_tag = f"{repo_series}.{200 + i}"
        derive_base(r, new_tag + "-base", 200 + i)
        set_base(r.project, new_tag)
        b = r.build("ours", f"newbase-off{i + 1}", build_args={"ASTRO_PYENV_PREBUILT": "off"})
        off_row.ours.append(b.seconds)
        off_compiled.append(len(re.findall(r"astro-pyenv: compiling CPython", b.log)))
    return off_compiled


def derive_base(r: Runner, tag: str, i: int) -> None:
    """A new image ``tag``: the runtime's ``-base`` image plus one file (a new image id, same OS)."""
    ctx = scratch_dir(r.work / "derived-base")
    (ctx / "PATCH_RELEASE").write_text(f"benchmark patch release {i} {uuid.uuid4()}\n")
    (ctx / "Dockerfile").write_text(f"FROM {RUNTIME_BASE}\nCOPY PATCH_RELEASE /usr/local/share/PATCH_RELEASE\n")
    r.engine.docker("build", *build_flags(mirror=False, ca=False), "-q", "-t", tag, str(ctx))
    log(f"derived {tag} from {RUNTIME_BASE}")
