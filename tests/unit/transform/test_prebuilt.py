"""Prebuilt interpreters, the pure part: the catalog, the key, and when a compile is chosen."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from astro_pyenv_frontend import prebuilt
from astro_pyenv_frontend.contract import TransformOptions
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.libc import Libc
from astro_pyenv_frontend.transform import transform

DIGEST = "sha256:" + "ab" * 32
RECIPE = "sha256:" + "12" * 32


def _catalog(**entry: object) -> prebuilt.Catalog:
    raw = {
        "version": "3.13.5",
        "libc": "glibc 2.31",
        "os": "debian-11",
        "platforms": ["linux/amd64", "linux/arm64"],
        "recipe": RECIPE,
        "build": "--enable-optimizations --with-lto",
        "tag": "3.13.5-glibc2.31",
        "digest": DIGEST,
    }
    raw.update(entry)
    return prebuilt.parse_catalog(json.dumps({"repository": "registry.example/astro-pyenv/cpython", "interpreters": [raw]}))


def _choose(catalog: prebuilt.Catalog | None, **kw: object) -> prebuilt.Choice:
    args: dict[str, object] = dict(
        version="3.13.5", libc=Libc("glibc", (2, 36)), platforms=["linux/amd64"], recipe=RECIPE, repository_setting=""
    )
    args.update(kw)
    return prebuilt.choose(catalog, **args)  # type: ignore[arg-type]


def test_an_image_is_used_only_when_version_recipe_every_platform_and_the_glibc_fit() -> None:
    catalog = _catalog()
    chosen = _choose(catalog, platforms=["linux/amd64", "linux/arm64"])
    assert chosen.image == f"registry.example/astro-pyenv/cpython:3.13.5-glibc2.31@{DIGEST}"
    assert "prebuilt for glibc 2.31+" in chosen.reason
    for libc in [(2, 31), (2, 36), (2, 41), (3, 0)]:  # the floor and anything newer, any distribution
        assert _choose(catalog, libc=Libc("glibc", libc)).image is not None, libc
    for changed, why in [
        ({"version": "3.13.4"}, "no prebuilt image of this version"),
        ({"libc": Libc("glibc", (2, 28))}, "the base has glibc 2.28; prebuilt images of 3.13.5 need glibc 2.31 or newer"),
        ({"libc": Libc("musl", (0, 0))}, "C library is musl; prebuilt interpreters need glibc"),
        ({"recipe": "sha256:" + "34" * 32}, "other pyenv or build scripts"),
        ({"platforms": ["linux/amd64", "linux/s390x"]}, "not linux/amd64, linux/s390x"),
        ({"libc": None}, "C library could not be read"),
        ({"recipe": None}, "other pyenv or build scripts"),
    ]:
        choice = _choose(catalog, **changed)
        assert choice.image is None, changed
        assert why in choice.reason, (changed, choice.reason)
        assert re.match(r"CPython 3\.13\.[45] is compiled: ", choice.reason), choice.reason
        assert "compiling CPython" not in choice.reason  # what build-python.sh prints when it runs


def test_settings_that_change_the_build_or_turn_prebuilt_off_mean_a_compile() -> None:
    catalog = _catalog()
    assert "are off" in _choose(catalog, repository_setting=None).reason
    assert "sets PYTHON_CONFIGURE_OPTS" in _choose(catalog, custom_build=["PYTHON_CONFIGURE_OPTS"]).reason
    assert "names a platform" in _choose(catalog, platform_flag="--platform=linux/arm64 ").reason
    assert "lists no prebuilt" in _choose(None).reason
    assert _choose(catalog, repository_setting="mirror.example:5000/team/cpython").image == (
        f"mirror.example:5000/team/cpython:3.13.5-glibc2.31@{DIGEST}"
    )


def test_without_the_base_the_answer_is_known_before_reading_it_or_left_open() -> None:
    catalog = _catalog()
    assert prebuilt.choice_without_base(catalog, version="3.13.5", repository_setting="") is None
    early = prebuilt.choice_without_base(catalog, version="3.9.2", repository_setting="")
    assert early is not None and early.image is None


def test_the_newest_glibc_that_fits_the_base_wins() -> None:
    """A catalog may hold builds on several glibc releases: a base gets the newest one it can
    run (it carries the newest libraries), an older base the older one."""
    old = _catalog(libc="glibc 2.31", tag="3.13.5-glibc2.31", digest="sha256:" + "31" * 32)
    new = _catalog(libc="glibc 2.36", tag="3.13.5-glibc2.36", digest="sha256:" + "36" * 32)
    both = prebuilt.Catalog(old.repository, old.entries + new.entries)
    assert "glibc2.36@" in str(_choose(both, libc=Libc("glibc", (2, 41))).image)
    assert "glibc2.36@" in str(_choose(both, libc=Libc("glibc", (2, 36))).image)
    assert "glibc2.31@" in str(_choose(both, libc=Libc("glibc", (2, 35))).image)
    assert _choose(both, libc=Libc("glibc", (2, 30))).image is None


def test_catalog_versions_are_what_a_prefix_resolves_to_first() -> None:
    assert prebuilt.catalog_versions(_catalog()) == ("3.13.5",)
    assert prebuilt.catalog_versions(None) == ()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n', "debian-12"),
        ("ID=ubuntu\nVERSION_ID='24.04'\n", "ubuntu-24.04"),
        ("ID=alpine\nVERSION_ID=3.20.3\n", "alpine-3.20.3"),
        ('PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\n', None),  # sid: no VERSION_ID
        ("", None),
    ],
)
def test_os_key_is_id_and_version_id(text: str, key: str | None) -> None:
    assert prebuilt.os_key(text) == key


@pytest.mark.parametrize(
    "bad",
    [
        "[]",
        '{"interpreters": []}',
        '{"repository": "r", "interpreters": [{"version": "3.9.2"}]}',
        '{"repository": "r", "interpreters": [{"version": "3.9.2", "libc": "glibc 2.31", "platforms": ["linux/amd64"],'
        ' "recipe": "x", "tag": "t", "digest": "latest"}]}',
        '{"repository": "r", "interpreters": [{"version": "3.9.2", "libc": "glibc 2.31", "platforms": [],'
        ' "recipe": "x", "tag": "t", "digest": "sha256:' + "0" * 64 + '"}]}',
        # an older catalog, keyed by OS release: no libc
        '{"repository": "r", "interpreters": [{"version": "3.9.2", "os": "debian-12", "platforms": ["linux/amd64"],'
        ' "recipe": "x", "tag": "t", "digest": "sha256:' + "0" * 64 + '"}]}',
        '{"repository": "r", "interpreters": [{"version": "3.9.2", "libc": "musl 1.2", "platforms": ["linux/amd64"],'
        ' "recipe": "x", "tag": "t", "digest": "sha256:' + "0" * 64 + '"}]}',
        "not json",
    ],
)
def test_a_malformed_catalog_is_refused(bad: str) -> None:
    with pytest.raises(prebuilt.CatalogError):
        prebuilt.parse_catalog(bad)


_GOOD_ENTRY = {
    "version": "3.13.5", "libc": "glibc 2.31", "os": "debian-11", "platforms": ["linux/amd64"], "recipe": RECIPE,
    "tag": "3.13.5-glibc2.31", "digest": DIGEST,
}


@pytest.mark.parametrize(
    ("catalog", "reason"),
    [
        ({"repository": "r", "interpreters": 5}, '"interpreters" is int, not a list'),
        ({"repository": "r", "interpreters": "abc"}, '"interpreters" is str, not a list'),
        ({"repository": "r", "interpreters": {"version": "3.13.5"}}, '"interpreters" is dict'),
        ({"repository": "r", "interpreters": [5]}, "is not an object"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, version=3.13)]}, "version of the wrong type"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, libc=["glibc", 2.31])]}, "libc of the wrong type"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, libc="glibc")]}, "libc is not 'glibc X.Y'"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, platforms="linux/amd64")]}, "platforms of the wrong"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, platforms=[1])]}, "platforms of the wrong type"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, build=["-O2"])]}, "build of the wrong type"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, tag="x\nRUN evil")]}, "is not an image tag"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, tag="x y")]}, "is not an image tag"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, os="Debian 12")]}, "os is not <ID>-<VERSION_ID>"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, version="3.13\nRUN")]}, "not a python-build"),
        ({"repository": "r", "interpreters": [dict(_GOOD_ENTRY, recipe="x")]}, "recipe 'x' is not sha256:<hex>"),
        ({"repository": "a b\nRUN evil", "interpreters": []}, "is not an image repository"),
        ({"repository": "r:latest", "interpreters": []}, "is not an image repository"),
    ],
)
def test_a_catalog_of_the_wrong_shape_is_a_catalog_error_saying_what(catalog: object, reason: str) -> None:
    with pytest.raises(prebuilt.CatalogError) as info:
        prebuilt.parse_catalog(json.dumps(catalog))
    assert reason in str(info.value)


def test_a_catalog_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"repository": "r", "interpreters": [_GOOD_ENTRY]}).encode())
    loaded = prebuilt.load_catalog(str(path))
    assert loaded is not None and loaded.entries[0].tag == "3.13.5-glibc2.31"
    path.write_bytes(b'{"repository": "caf\xe9", "interpreters": []}')
    with pytest.raises(prebuilt.CatalogError, match="not UTF-8"):
        prebuilt.load_catalog(str(path))


def test_setting_reads_the_build_arg_before_the_global_arg() -> None:
    assert prebuilt.setting({}, {}) == ""
    assert prebuilt.setting({"ASTRO_PYENV_PREBUILT": "off"}, {"ASTRO_PYENV_PREBUILT": "a/b"}) is None
    assert prebuilt.setting({}, {"ASTRO_PYENV_PREBUILT": " mirror:5000/c "}) == "mirror:5000/c"
    for value in ("OFF", "none", "false", "0", "no"):
        assert prebuilt.setting({"ASTRO_PYENV_PREBUILT": value}, {}) is None


@pytest.mark.parametrize("name", ["a/b", "127.0.0.1:5000/astro-pyenv/cpython", "ghcr.io/org/cpython", "cpython"])
def test_valid_repositories(name: str) -> None:
    assert prebuilt.valid_repository(name)


@pytest.mark.parametrize("name", ["a/b:tag", "a/b@sha256:00", "A/B", "a b", "a/b\nRUN x", "", "-a/b", "a//b"])
def test_invalid_repositories(name: str) -> None:
    assert not prebuilt.valid_repository(name)


def test_recipe_changes_with_any_file_mode_or_link_of_the_tools(tmp_path: Path) -> None:
    (tmp_path / "pyenv/bin").mkdir(parents=True)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "pyenv/bin/pyenv").write_text("#!/bin/sh\n")
    for name in prebuilt.COMPILE_SCRIPTS:
        (tmp_path / "scripts" / name).write_text("echo\n")
    (tmp_path / "scripts/make-venv.sh").write_text("echo venv\n")
    (tmp_path / "other").write_text("not part of the recipe")
    first = prebuilt.recipe_digest(tmp_path)
    assert first == prebuilt.recipe_digest(tmp_path)
    (tmp_path / "other").write_text("changed")
    (tmp_path / "scripts/make-venv.sh").write_text("echo venv 2\n")  # venvs are not compiled
    assert prebuilt.recipe_digest(tmp_path) == first
    (tmp_path / "scripts/settings.sh").write_text("echo 2\n")
    assert prebuilt.recipe_digest(tmp_path) != first
    (tmp_path / "scripts/settings.sh").write_text("echo\n")
    (tmp_path / "scripts/build-python.sh").write_text("echo 2\n")
    second = prebuilt.recipe_digest(tmp_path)
    assert second != first
    os.chmod(tmp_path / "scripts/build-python.sh", 0o755)
    third = prebuilt.recipe_digest(tmp_path)
    assert third != second
    os.symlink("bin", tmp_path / "pyenv/libexec")
    assert prebuilt.recipe_digest(tmp_path) != third


def test_recipe_ignores_the_venv_script(tmp_path: Path) -> None:
    """A compile runs build-python.sh and what it sources only: make-venv.sh keeps the images."""
    (tmp_path / "pyenv").mkdir()
    (tmp_path / "scripts").mkdir()
    for name in (*prebuilt.COMPILE_SCRIPTS, "make-venv.sh"):
        (tmp_path / "scripts" / name).write_text("echo\n")
    first = prebuilt.recipe_digest(tmp_path)
    (tmp_path / "scripts/make-venv.sh").write_text("echo changed\n")
    assert prebuilt.recipe_digest(tmp_path) == first
    (tmp_path / "scripts/build-deps.sh").write_text("echo changed\n")
    assert prebuilt.recipe_digest(tmp_path) != first


# -- what the transform does with a chosen image ----------------------------------------------

DOCKERFILE = "FROM python:3.12-slim\nPYENV 3.13.5 a\nPYENV 3.9.2 b\n"


def _transform(text: str, images: dict[tuple[str, str], str], **build_args: str) -> str:
    options = TransformOptions(frontend_image="f:1", build_args=build_args, interpreter_images=images)
    return transform(text, options).dockerfile


def test_a_chosen_image_replaces_that_compile_only() -> None:
    image = f"r.example/cpython:3.13.5-glibc2.31@{DIGEST}"
    out = _transform(DOCKERFILE, {("python:3.12-slim", "3.13.5"): image})
    # its files on the base the compile would have used, then fitted to that base
    assert "FROM python:3.12-slim AS pyenv-python-3.13.5\nUSER root\n" in out
    assert f"COPY --link --from={image} /opt/astro-pyenv/ /opt/astro-pyenv/\n" in out
    assert '"fit-interpreter.sh", "3.13.5"]' in out.replace("/tmp/astro-pyenv/scripts/", "")
    assert out.count("build-python.sh\", \"3.9.2\"") == 1
    assert "build-python.sh\", \"3.13.5\"" not in out
    compiled = _transform(DOCKERFILE, {})
    assert "build-python.sh\", \"3.13.5\"" in compiled
    # every other line is the same either way
    assert out.count("\n") < compiled.count("\n")


def test_the_result_lists_interpreters_and_the_settings_that_decide() -> None:
    options = TransformOptions(
        frontend_image="f:1", build_args={"PYTHON_CONFIGURE_OPTS": "--enable-shared", "MAKE_OPTS": ""}
    )
    text = "ARG ASTRO_PYENV_PREBUILT=mirror.example/c\n" + DOCKERFILE
    result = transform(text, options)
    assert [(u.base_image, u.version, u.line) for u in result.interpreters] == [
        ("python:3.12-slim", "3.13.5", 3),
        ("python:3.12-slim", "3.9.2", 4),
    ]
    assert result.prebuilt_setting == "mirror.example/c"
    assert result.custom_build_settings == ("PYTHON_CONFIGURE_OPTS",)
    off = transform(DOCKERFILE, TransformOptions(frontend_image="f:1", build_args={"ASTRO_PYENV_PREBUILT": "off"}))
    assert off.prebuilt_setting is None
    by_global = transform("ARG CONFIGURE_OPTS=--with-lto\n" + DOCKERFILE, TransformOptions(frontend_image="f:1"))
    assert by_global.custom_build_settings == ("CONFIGURE_OPTS",)


def test_a_platform_flag_keeps_the_compile_even_with_an_image_offered() -> None:
    text = "FROM --platform=linux/amd64 python:3.12-slim\nPYENV 3.13.5 a\n"
    out = _transform(text, {("python:3.12-slim", "3.13.5"): f"r/c:t@{DIGEST}"})
    assert "build-python.sh" in out and "@sha256:" not in out


def test_an_invalid_repository_setting_is_an_error_at_the_first_pyenv_line() -> None:
    text = "ARG ASTRO_PYENV_PREBUILT=\"a/b:latest\"\nFROM python:3.12-slim\nRUN true\nPYENV 3.13.5 a\n"
    with pytest.raises(DockerfileError) as err:
        transform(text, TransformOptions(frontend_image="f:1"))
    assert err.value.line == 4
    assert "ASTRO_PYENV_PREBUILT" in str(err.value)
    with pytest.raises(DockerfileError):
        transform(DOCKERFILE, TransformOptions(frontend_image="f:1", build_args={"ASTRO_PYENV_PREBUILT": "x\nRUN y"}))


def test_an_optimised_build_is_preferred_to_a_plain_one_of_the_same_key() -> None:
    plain = _catalog(build="", tag="3.13.5-plain", digest="sha256:" + "01" * 32)
    optimised = _catalog()
    both = prebuilt.Catalog(plain.repository, plain.entries + optimised.entries)
    chosen = _choose(both)
    assert chosen.image is not None and chosen.image.endswith(DIGEST)
    only_plain = _choose(plain)
    assert only_plain.image is not None and "3.13.5-plain@" in only_plain.image


def test_the_recipe_covers_every_script_the_compile_sources_or_mounts() -> None:
    """A script the interpreter stage runs but the recipe leaves out would let a prebuilt image
    stand in for a compile that now does something else."""
    scripts = Path(prebuilt.__file__).parent / "scripts"
    sourced = {
        name
        for script in ("build-python.sh", "prepare-build.sh")
        for name in re.findall(r'^\. "\$here/([\w.-]+)"', (scripts / script).read_text(), re.M)
    }
    templates = Path(prebuilt.__file__).parent / "templates"
    mounted = {
        name
        for template in ("interpreter.Dockerfile.j2", "interpreter.buildah.Dockerfile.j2")
        for name in re.findall(r"scripts/([\w.-]+\.sh)", (templates / template).read_text())
    }
    assert sourced | {"build-python.sh", "prepare-build.sh"} == set(prebuilt.COMPILE_SCRIPTS)
    assert set(prebuilt.PREPARE_SCRIPTS) | set(prebuilt.BUILD_SCRIPTS) == set(prebuilt.COMPILE_SCRIPTS)
    assert mounted <= set(prebuilt.COMPILE_SCRIPTS), mounted


def test_without_a_recipe_to_hold_to_a_version_made_by_several_recipes_is_not_guessed() -> None:
    """A catalog file given alone (standalone, --catalog) may hold an old recipe's images too."""
    from astro_pyenv_frontend.prebuilt_offer import choose_for_unseen_base

    one = _catalog()
    two = prebuilt.Catalog(one.repository, (*one.entries, *_catalog(recipe="sha256:" + "34" * 32, tag="old").entries))
    assert _choose(one, recipe=None, check_recipe=False).image is not None
    for choice in (
        _choose(two, recipe=None, check_recipe=False),
        choose_for_unseen_base(prebuilt.Offer(two), version="3.13.5", repository_setting=""),
    ):
        assert choice.image is None
        assert choice.reason == (
            "CPython 3.13.5 is compiled: the catalog has images of it from several recipes, and none was named"
            " (a recipe file beside it)"
        )
    assert choose_for_unseen_base(prebuilt.Offer(two, RECIPE), version="3.13.5", repository_setting="").image
