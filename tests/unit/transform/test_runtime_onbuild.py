"""Astro Runtime: the image's own ONBUILD steps, split at its project copy (issue 15.5).

The gateway reads the steps from the image config and hands them in as
``TransformOptions.base_configs``; these tests give them directly.
"""

from __future__ import annotations

import pytest

from astro_pyenv_frontend import astro_runtime
from astro_pyenv_frontend.contract import ImageConfig
from astro_pyenv_frontend.transform import TransformOptions, transform

IMAGE = "quay.io/astronomer/astro-runtime:13.0.0"
CONTEXT = "pyenv-base-without-onbuild"  # the image without its ONBUILD steps, which the gateway supplies
USUAL = (
    "COPY packages.txt .",
    "USER root",
    "RUN /usr/local/bin/install-system-packages",
    "COPY requirements.txt .",
    "RUN /usr/local/bin/install-python-dependencies",
    "USER astro",
    "COPY --chown=astro:0 . .",
)
CA = (
    "--mount=type=secret,id=astro-pyenv-ca,mode=0444 if [ -s /run/secrets/astro-pyenv-ca ];"
    " then export PIP_CERT=/run/secrets/astro-pyenv-ca; fi; "
)
USER_DOCKERFILE = f"FROM {IMAGE}\nRUN echo above\nPYENV 3.12 py\nCOPY dags/ dags/\n"


def _configs(onbuild: dict[str, tuple[str, ...] | None] | None) -> dict[str, ImageConfig | None] | None:
    if onbuild is None:
        return None
    return {image: None if steps is None else ImageConfig(onbuild=steps) for image, steps in onbuild.items()}


def _transform(text: str, onbuild: dict[str, tuple[str, ...] | None] | None) -> tuple[str, list[str]]:
    result = transform(text, TransformOptions(frontend_image="f:1", base_configs=_configs(onbuild)))
    return result.dockerfile, [f"{w.line}: {w.message}" for w in result.warnings]


# -- where the split is ------------------------------------------------------------------------


def test_the_split_is_at_the_first_copy_of_the_whole_context() -> None:
    steps = (*USUAL, "RUN echo after-project")
    assert astro_runtime.split_onbuild(steps) == astro_runtime.OnbuildReplay(
        before=USUAL[:-1], after=("COPY --chown=astro:0 . .", "RUN echo after-project")
    )


@pytest.mark.parametrize(
    "step",
    ["COPY . .", "copy ./ /usr/local/airflow", "ADD --chown=1:0 / .", 'COPY [".", "."]', "COPY a . /dst/", "COPY\t.\t.", "COPY .. ."],
)
def test_whole_context_copies(step: str) -> None:
    assert astro_runtime.copies_whole_context(step)


@pytest.mark.parametrize(
    "step",
    ["COPY --from=build . .", "COPY dags/ dags/", "COPY * .", "RUN cp -r . /x", "COPY .", "COPY ./dags ."],
)
def test_not_whole_context_copies(step: str) -> None:
    assert not astro_runtime.copies_whole_context(step)


@pytest.mark.parametrize(
    ("steps", "why"),
    [
        (USUAL[:-1], "none of its ONBUILD steps copies the whole build context"),
        ((), "none of its ONBUILD steps copies the whole build context"),
        ((*USUAL, "USER root"), "'USER root' comes after the project copy"),
        ((*USUAL, "ENV A=1"), "'ENV A=1' comes after the project copy"),
        ((*USUAL, "WORKDIR /x"), "'WORKDIR /x' comes after the project copy"),
        (("RUN <<EOF\necho hi\nEOF", *USUAL), "spans lines (a heredoc)"),
        (("FROM x", *USUAL), "'FROM x' is not one astro-pyenv replays"),
        (("RUN echo \\", *USUAL), "would read differently"),
    ],
)
def test_steps_that_cannot_be_split_say_why(steps: tuple[str, ...], why: str) -> None:
    reason = astro_runtime.split_onbuild(steps)
    assert isinstance(reason, str) and why in reason


def test_another_escape_character_splits_only_steps_without_escapes() -> None:
    assert isinstance(astro_runtime.split_onbuild(USUAL, "`"), astro_runtime.OnbuildReplay)
    assert "escape" in str(astro_runtime.split_onbuild(("RUN echo a\\b", *USUAL), "`"))


@pytest.mark.parametrize(
    ("step", "copies"),
    [
        ("COPY \\. /x", True),  # BuildKit's expansion removes the escape: the source is "."
        ("COPY '.' \"/x\"", True),
        ("COPY [ . /x", True),  # not JSON: BuildKit splits it on white space, "." among the sources
        ("COPY --chown=\"a b\" . /x", True),
        ("COPY --from=\"a b\" . /x", False),
        ("COPY ${SRC:-.} /x", False),  # the image's variables are not known: not taken for the context
    ],
)
def test_triggers_are_read_as_buildkit_reads_them(step: str, copies: bool) -> None:
    """Deliberate change: a trigger is lexed as the one-line Dockerfile BuildKit parses when it
    runs it (default escape character), its flags split as extractBuilderFlags and its sources
    unquoted as BuildKit's expansion does, not split on Python's white space."""
    assert astro_runtime.copies_whole_context(step) is copies


@pytest.mark.parametrize("step", ["RUN\u00a0echo", "COPY\x1c. ."])
def test_a_trigger_keyword_ends_only_at_buildkits_white_space(step: str) -> None:
    """Deliberate change: splitCommand splits the keyword off on [\\t\\v\\f\\r ] only, so these
    are unknown instructions to BuildKit, and not replayed (Python's str.split cut them)."""
    assert astro_runtime.trigger_keyword(step) not in ("RUN", "COPY")
    assert "is not one astro-pyenv replays" in str(astro_runtime.split_onbuild((step, *USUAL)))


# -- the CA secret -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("RUN /usr/local/bin/install-python-dependencies", f"RUN {CA}/usr/local/bin/install-python-dependencies"),
        ("run --network=host  pip install x", f"run --network=host {CA}pip install x"),
        ('RUN ["/bin/install"]', 'RUN --mount=type=secret,id=astro-pyenv-ca,mode=0444 ["/bin/install"]'),
        ("RUN --mount=type=secret,id=astro-pyenv-ca /bin/x", "RUN --mount=type=secret,id=astro-pyenv-ca /bin/x"),
        ('RUN --mount=type=cache,target="/a b" pip i', f'RUN --mount=type=cache,target="/a b" {CA}pip i'),
        ("COPY . .", "COPY . ."),
    ],
)
def test_run_steps_get_the_optional_ca_secret_once(step: str, expected: str) -> None:
    assert astro_runtime.with_ca_secret(step) == expected


# -- what the transform writes -----------------------------------------------------------------


def test_the_image_steps_are_replayed_around_the_pyenv_work() -> None:
    steps = ("COPY packages.txt .", "RUN echo pre-onbuild", "COPY --chown=astro:0 . .", "RUN echo post-onbuild")
    dockerfile, warnings = _transform(USER_DOCKERFILE, {IMAGE: steps})
    assert warnings == []
    lines = dockerfile.splitlines()
    head = lines.index(f"FROM {CONTEXT} AS stage-0-pyenv-0")
    assert lines[head + 2 : head + 5] == ["COPY packages.txt .", f"RUN {CA}echo pre-onbuild", "RUN echo above"]
    path = lines.index("ENV PATH=${PATH}:/opt/astro-pyenv/bin")
    assert lines[path + 2 : path + 5] == ["COPY --chown=astro:0 . .", f"RUN {CA}echo post-onbuild", "COPY dags/ dags/"]
    assert "install-system-packages" not in dockerfile, "nothing of the template's copy"


def test_a_config_that_could_not_be_read_gets_the_template_and_a_warning() -> None:
    template, _ = _transform(USER_DOCKERFILE, None)
    dockerfile, warnings = _transform(USER_DOCKERFILE, {IMAGE: None})
    assert dockerfile == template
    assert warnings == [f"1: {astro_runtime.unread_warning(IMAGE)}"]


def test_the_cli_reads_nothing_and_says_nothing() -> None:
    dockerfile, warnings = _transform(USER_DOCKERFILE, None)
    assert "/usr/local/bin/install-python-dependencies" in dockerfile and warnings == []


def test_steps_that_cannot_be_split_leave_the_image_as_written_with_a_warning() -> None:
    dockerfile, warnings = _transform(USER_DOCKERFILE, {IMAGE: USUAL[:-1]})
    assert f"FROM {IMAGE} AS stage-0-pyenv-0\n" in dockerfile
    assert "astro-pyenv: the ONBUILD steps" not in dockerfile
    assert f"FROM {CONTEXT} AS pyenv-python-" in dockerfile, "interpreters still build without ONBUILD"
    (warning,) = warnings
    assert warning.startswith(f"1: {IMAGE} is used as written: none of its ONBUILD steps copies")


def test_an_image_without_onbuild_steps_is_used_as_written_with_its_own_warning() -> None:
    dockerfile, warnings = _transform(USER_DOCKERFILE, {IMAGE: ()})
    assert f"FROM {IMAGE} AS stage-0-pyenv-0\n" in dockerfile
    assert warnings == [f"1: {astro_runtime.no_onbuild_warning(IMAGE)}"]


def test_the_replayed_steps_map_to_the_from_line() -> None:
    steps = ("RUN echo pre-onbuild", "COPY . .", "RUN echo post-onbuild")
    result = transform(USER_DOCKERFILE, TransformOptions(frontend_image="f:1", base_configs=_configs({IMAGE: steps})))
    lines = result.dockerfile.splitlines()
    assert result.source_lines[lines.index(f"RUN {CA}echo pre-onbuild")] == 1
    assert result.source_lines[lines.index(f"RUN {CA}echo post-onbuild")] == 1, "the image's step, not PYENV's"
    assert result.base_images[0].image == IMAGE and result.base_images[0].line == 1


# -- the replayed steps run with the image's WORKDIR, USER and SHELL (issue 22.1) -----------------

RUNTIME_CONFIG = ImageConfig(
    onbuild=USUAL, labels=(("io.astronomer.docker", "true"),), working_dir="/usr/local/airflow", user="astro"
)


def _lines(text: str, configs: dict[str, ImageConfig | None] | None = None) -> tuple[list[str], tuple[int | None, ...]]:
    result = transform(text, TransformOptions(frontend_image="f:1", base_configs=configs))
    return result.dockerfile.splitlines(), result.source_lines


def _after_pyenv(lines: list[str]) -> list[str]:
    """The lines after the last PYENV continuation's ENV lines, without comments."""
    last = max(n for n, line in enumerate(lines) if line.startswith(("ENV ASTRO_PYENV_", "ENV PATH=${PATH}:")))
    return [line for line in lines[last + 1 :] if not line.startswith("#")]


@pytest.mark.parametrize("configs", [None, {IMAGE: RUNTIME_CONFIG}], ids=["our copy of the steps", "the image's steps"])
def test_the_project_copy_lands_in_the_images_workdir_whatever_workdir_the_lines_above_set(
    configs: dict[str, ImageConfig | None] | None,
) -> None:
    """``WORKDIR /opt/build`` above PYENV: the project copy ran in /opt/build, so the DAGs were
    not where Airflow reads them; a plain build copies them at FROM, into the image's WORKDIR."""
    text = f"FROM {IMAGE}\nWORKDIR /opt/build\nRUN make\nPYENV 3.11 a\nRUN echo below\n"
    lines, sources = _lines(text, configs)
    assert _after_pyenv(lines) == [
        "WORKDIR /usr/local/airflow",
        "COPY --chown=astro:0 . .",
        "WORKDIR /opt/build",
        "RUN echo below",
    ]
    again = len(lines) - 1 - lines[::-1].index("WORKDIR /opt/build")
    assert sources[again] == 2, "the user's line, written again, is still theirs"


def test_every_workdir_line_above_is_written_again_in_order() -> None:
    text = f"FROM {IMAGE}\nWORKDIR /opt\nPYENV 3.11 a\nWORKDIR build\nPYENV 3.12 b\n"
    lines, _ = _lines(text)
    assert _after_pyenv(lines) == ["WORKDIR /usr/local/airflow", "COPY --chown=astro:0 . .", "WORKDIR /opt", "WORKDIR build"]


def test_user_and_shell_are_set_back_only_for_steps_that_use_them() -> None:
    text = f'FROM {IMAGE}\nUSER root\nSHELL ["/bin/bash", "-c"]\nPYENV 3.11 a\n'
    copy_only, _ = _lines(text)
    assert _after_pyenv(copy_only) == ["COPY --chown=astro:0 . ."], "a COPY runs with neither"
    steps = (*USUAL, "RUN make dags")
    config = ImageConfig(onbuild=steps, working_dir="/usr/local/airflow", user="nobody", shell=("/bin/sh", "-ec"))
    with_run, _ = _lines(text, {IMAGE: config})
    assert _after_pyenv(with_run) == [
        "USER astro",  # the image's steps end with USER astro before the copy
        'SHELL ["/bin/sh", "-ec"]',
        "COPY --chown=astro:0 . .",
        f"RUN {CA}make dags",
        "USER root",
        'SHELL ["/bin/bash", "-c"]',
    ]


def test_the_images_own_settings_are_read_from_its_config_and_steps() -> None:
    steps = ("WORKDIR /srv", "WORKDIR app", "COPY . .", "RUN ls")
    state = astro_runtime.state_at_split(ImageConfig(onbuild=steps, working_dir="/usr/local/airflow"), steps[:2])
    assert state == astro_runtime.OnbuildState("/srv/app", "0", ("/bin/sh", "-c"))
    assert astro_runtime.state_at_split(ImageConfig(), ("WORKDIR $HOME", "USER ${U}")).workdir is None
    text = f"FROM {IMAGE}\nWORKDIR /opt/build\nUSER root\nPYENV 3.11 a\n"
    lines, _ = _lines(text, {IMAGE: ImageConfig(onbuild=steps, labels=RUNTIME_CONFIG.labels)})
    assert _after_pyenv(lines) == ["USER 0", "WORKDIR /srv/app", "COPY . .", f"RUN {CA}ls", "WORKDIR /opt/build", "USER root"]


def test_a_value_is_written_so_that_the_line_reads_it_back() -> None:
    assert astro_runtime.literal("/opt/$x", "\\") == "/opt/\\$x"
    assert astro_runtime.literal("/opt/a`b", "`") == "/opt/a``b"
    assert astro_runtime.literal(" /opt", "\\") is None
    assert astro_runtime.literal("/opt\u00a0", "\\") is None


def test_values_are_trimmed_as_buildkit_trims_them() -> None:
    """Deliberate change: Go's TrimSpace, not Python's str.strip (which also takes U+001C..U+001F),
    for the USER a trigger sets and a value written back."""
    state = astro_runtime.state_at_split(ImageConfig(), ("USER astro\x1c",))
    assert state.user == "astro\x1c"
    assert astro_runtime.literal("/opt\x1c", "\\") == "/opt\x1c"


@pytest.mark.parametrize(
    ("above", "steps", "line", "why"),
    [
        ("ENV PIP_INDEX_URL=https://x.example/simple\n", ("COPY . .", "RUN pip install ."), 2, "would change the environment"),
        ("ARG VERSION=1\n", ("COPY . .", "RUN make"), 2, "would change the environment"),
        ("ENV DEST=/x\n", ("COPY . $DEST",), 2, "would change the environment"),
        ("WORKDIR /opt\n", ("WORKDIR $HOME", "COPY . ."), 2, "cannot tell"),
        ("ENV D=/a\nWORKDIR $D\nENV D=/b\n", ("COPY . .",), 3, "a variable it uses is changed"),
    ],
)
def test_what_cannot_be_set_back_is_refused_at_its_line(above: str, steps: tuple[str, ...], line: int, why: str) -> None:
    from astro_pyenv_frontend.errors import DockerfileError

    text = f"FROM {IMAGE}\n{above}PYENV 3.11 a\n"
    with pytest.raises(DockerfileError) as raised:
        _lines(text, {IMAGE: ImageConfig(onbuild=steps, labels=RUNTIME_CONFIG.labels)})
    assert raised.value.line == line and why in str(raised.value)
    assert "move this line below the stage's last PYENV line" in str(raised.value) or "write the value" in str(raised.value)


def test_what_the_steps_do_not_depend_on_is_left_alone() -> None:
    """ENV above PYENV and a COPY without variables; a WORKDIR with a variable no line changes."""
    text = f"FROM {IMAGE}\nENV A=1\nWORKDIR $AIRFLOW_HOME/dags\nENV B=2\nPYENV 3.11 a\n"
    lines, _ = _lines(text)
    assert _after_pyenv(lines) == [
        "WORKDIR /usr/local/airflow",
        "COPY --chown=astro:0 . .",
        "WORKDIR $AIRFLOW_HOME/dags",
    ]


def test_a_workdir_using_what_pyenv_sets_is_refused() -> None:
    from astro_pyenv_frontend.errors import DockerfileError

    with pytest.raises(DockerfileError, match="a variable it uses is changed") as raised:
        _lines(f"FROM {IMAGE}\nWORKDIR ${{ASTRO_PYENV_a:-/opt}}\nPYENV 3.11 a\n")
    assert raised.value.line == 2


def test_a_workdir_nested_too_deep_to_tell_is_refused_at_its_line() -> None:
    """BuildKit reads references nested deeper than astro-pyenv does (issue 22.9): whether the
    line written again reads as it did cannot be told, so it is refused, not let through."""
    from astro_pyenv_frontend.errors import DockerfileError

    deep = "${X:-" * 70 + "${ASTRO_PYENV_a:-/opt}" + "}" * 70
    with pytest.raises(DockerfileError, match="nested more than 64 deep") as raised:
        _lines(f"FROM {IMAGE}\nWORKDIR {deep}\nPYENV 3.11 a\n")
    assert raised.value.line == 2


# -- what the image is, not its name (issue 22.14) -------------------------------------------------


def test_a_mirrored_runtime_is_known_by_its_labels() -> None:
    mirror = "registry.corp/astro-runtime:13.0.0"
    text = f"FROM {mirror}\nPYENV 3.11 a\nCOPY dags/ dags/\n"
    lines, _ = _lines(text, {mirror: RUNTIME_CONFIG})
    assert f"FROM {CONTEXT} AS stage-0-pyenv-0" in lines and f"FROM {CONTEXT} AS pyenv-python-3.11.15" in lines
    assert _after_pyenv(lines) == ["COPY --chown=astro:0 . .", "COPY dags/ dags/"]
    result = transform(text, TransformOptions(frontend_image="f:1", base_configs={mirror: RUNTIME_CONFIG}))
    assert [(use.context, use.image) for use in result.onbuild_free] == [(CONTEXT, mirror)]
    assert result.interpreters[0].base_image == mirror, "what the gateway reads for prebuilt interpreters and checks"


def test_a_digest_pinned_or_arg_named_runtime_keeps_its_pin_in_the_context() -> None:
    pinned = f"{IMAGE}@sha256:{'a' * 64}"
    text = f"ARG RUNTIME={pinned}\nFROM ${{RUNTIME}} AS airflow\nPYENV 3.11 a\n"
    result = transform(text, TransformOptions(frontend_image="f:1", base_configs={pinned: RUNTIME_CONFIG}))
    assert f"FROM {CONTEXT} AS airflow-pyenv-0" in result.dockerfile.splitlines()
    assert [(use.context, use.image) for use in result.onbuild_free] == [(CONTEXT, pinned)]


def test_an_image_without_astro_labels_or_name_is_used_as_is_with_its_onbuild_warning() -> None:
    text = "FROM corp/onbuild:1\nPYENV 3.11 a\n"
    config = ImageConfig(onbuild=("COPY . /app",))
    result = transform(text, TransformOptions(frontend_image="f:1", base_configs={"corp/onbuild:1": config}))
    assert "FROM corp/onbuild:1 AS stage-0-pyenv-0" in result.dockerfile and result.onbuild_free == ()
    assert [(w.line, w.message) for w in result.warnings] == [(2, astro_runtime.onbuild_warning("corp/onbuild:1", 1))]


def test_a_stage_built_from_a_runtime_stage_compiles_on_the_image_without_onbuild() -> None:
    mirror = "registry.corp/astro-runtime:13.0.0"
    text = f"FROM {mirror} AS runtime\nFROM runtime\nPYENV 3.11 a\n"
    lines, _ = _lines(text, {mirror: RUNTIME_CONFIG})
    assert f"FROM {CONTEXT} AS pyenv-python-3.11.15" in lines
    assert "FROM runtime AS stage-1-pyenv-0" in lines, "the user's FROM of a stage stays"


def test_a_runtime_base_image_by_config_gets_the_base_variant_warning() -> None:
    base = f"{IMAGE}-base"
    config = ImageConfig(labels=RUNTIME_CONFIG.labels)
    result = transform(f"FROM {base}\nPYENV 3.11 a\n", TransformOptions(frontend_image="f:1", base_configs={base: config}))
    assert [w.message for w in result.warnings] == [astro_runtime.base_variant_warning(base)]


def test_a_from_with_platform_keeps_the_public_names_base_variant_and_says_so_for_others() -> None:
    public = transform(
        f"FROM --platform=linux/amd64 {IMAGE}\nPYENV 3.11 a\n",
        TransformOptions(frontend_image="f:1", base_configs={IMAGE: RUNTIME_CONFIG}),
    )
    assert f"FROM --platform=linux/amd64 {IMAGE}-base AS stage-0-pyenv-0" in public.dockerfile
    mirror = "registry.corp/astro-runtime:13.0.0"
    other = transform(
        f"FROM --platform=linux/amd64 {mirror}\nPYENV 3.11 a\n",
        TransformOptions(frontend_image="f:1", base_configs={mirror: RUNTIME_CONFIG}),
    )
    assert f"FROM --platform=linux/amd64 {mirror} AS stage-0-pyenv-0" in other.dockerfile
    assert "names a --platform" in other.warnings[0].message


@pytest.mark.parametrize(
    ("image", "warned"),
    [
        (f"{IMAGE}@sha256:{'a' * 64}", True),
        ("registry.corp/astro-runtime:13.0.0", True),
        ("myregistry.azurecr.io/runtime:3.0-1", True),
        ("python:3.12-slim", False),
        ("registry.corp/astro-runtime:13.0.0-base", True),
    ],
)
def test_the_cli_says_what_it_assumes_of_a_name_it_does_not_know(image: str, warned: bool) -> None:
    result = transform(f"FROM {image}\nPYENV 3.11 a\n", TransformOptions(frontend_image="f:1"))
    assert f"FROM {image} AS stage-0-pyenv-0" in result.dockerfile
    assert [w.message for w in result.warnings] == ([astro_runtime.cli_warning(image)] if warned else [])
    assert result.base_images[0].image == image, "the gateway reads it"
