"""Build checks for PYENV lines: the rules, their settings, and what each flags (pure).

The rules work like BuildKit's own Dockerfile checks: a finding is a warning at the user's
PYENV line, shown by ``docker build`` and by ``docker buildx build --check``; the ``# check=``
directive (or the ``BUILDKIT_DOCKERFILE_CHECK`` build arg, which replaces it) skips rules
(``skip=<Rule>,<Rule>`` or ``skip=all``) or turns findings into a failed build (``error=true``).
Each rule is documented in docs/checks.md; the warning's URL is that page's address on the
project's home (:mod:`.project`), since BuildKit shows it to users outside the repository.  What a rule needs
from outside the Dockerfile (a base image's config, a requirements file) the gateway fetches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .contract import PyenvUse
from .project import doc_url
from .pyenv_values import is_lock

CHECK_BUILD_ARG = "BUILDKIT_DOCKERFILE_CHECK"
CHECKS_PAGE = "checks.md"  # docs/checks.md: one heading per rule, its anchor the rule's name


@dataclass(frozen=True)
class Rule:
    name: str
    description: str

    @property
    def url(self) -> str:
        return doc_url(CHECKS_PAGE, self.name.lower())


PYENV_SAME_AS_BASE_PYTHON = Rule(
    "PyenvSameAsBasePython",
    "PYENV compiles the Python version the base image already has",
)
UNPINNED_REQUIREMENTS = Rule(
    "PyenvUnpinnedRequirements",
    "A PYENV requirements file has requirements without an exact version",
)
RULES = (PYENV_SAME_AS_BASE_PYTHON, UNPINNED_REQUIREMENTS)


@dataclass(frozen=True)
class Finding:
    """One warning: ``rule`` at lines ``line``..``end_line`` of the user's Dockerfile."""

    rule: Rule
    message: str
    line: int
    end_line: int

    @property
    def short(self) -> str:
        """The one-line form BuildKit shows for its own rules: ``Rule: message (line N)``."""
        return f"{self.rule.name}: {self.message} (line {self.line})"


@dataclass(frozen=True)
class CheckConfig:
    skip_all: bool = False
    skip: frozenset[str] = frozenset()
    error: bool = False

    def enabled(self, rule: Rule) -> bool:
        return not self.skip_all and rule.name not in self.skip


class CheckConfigError(ValueError):
    pass


def parse_check_config(value: str | None) -> CheckConfig:
    """A ``# check=`` value as BuildKit reads it: ``skip=...``, ``error=...`` and ``experimental=...``
    (no experimental rule here), ``;``-separated; raise :class:`CheckConfigError` on a bad one."""
    text = (value or "").strip()
    if not text:
        return CheckConfig()
    skip_all, skip, error = False, frozenset[str](), False
    for part in text.split(";", 2):
        key, sep, raw = part.partition("=")
        if not sep:
            raise CheckConfigError(f"invalid check option {part!r}")
        key, raw = key.strip(), raw.strip()
        if key == "skip":
            if raw == "all":
                skip_all = True
            else:
                skip = frozenset(rule.strip() for rule in raw.split(","))
        elif key == "error":
            lowered = raw.lower()
            if raw not in {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}:
                raise CheckConfigError(f"failed to parse check option {part!r}")
            error = lowered in {"1", "t", "true"}
        elif key != "experimental":
            raise CheckConfigError(f"invalid check option {key!r}")
    return CheckConfig(skip_all=skip_all, skip=skip, error=error)


def check_config(directive: str | None, build_args: Mapping[str, str]) -> CheckConfig:
    """The settings in force: the build arg if given (it replaces the directive), else the directive."""
    if CHECK_BUILD_ARG in build_args:
        return parse_check_config(build_args[CHECK_BUILD_ARG])
    return parse_check_config(directive)


# -- PyenvSameAsBasePython --------------------------------------------------------------------

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?([a-z0-9.]*?)(t?)\Z")


def _series(version: str) -> tuple[str, bool] | None:
    """("3.12", free-threaded) of a CPython version; None for anything else (pypy, ...)."""
    found = _VERSION.match(version.strip())
    if found is None:
        return None
    return f"{found.group(1)}.{found.group(2)}", found.group(5) == "t"


def same_as_base_python(use: PyenvUse, base_python: str) -> Finding | None:
    """A finding when ``use`` builds the base image's own Python series (``3.12.4`` on a base whose
    ``PYTHON_VERSION`` is ``3.12.8``): the base's interpreter would serve without a compile."""
    mine, base = _series(use.version), _series(base_python)
    if mine is None or base is None or mine != base:
        return None
    return Finding(
        PYENV_SAME_AS_BASE_PYTHON,
        f"PYENV {use.version} {use.name}: the base image {use.base_image} already has Python {base_python};"
        f" a venv from it (RUN python -m venv) needs no second CPython {mine[0]}",
        use.line,
        use.end_line,
    )


# -- PyenvUnpinnedRequirements ----------------------------------------------------------------

_PINNED = re.compile(r"===?|\s@\s|^@|\A[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_SHOWN = 3


def unpinned_requirements(text: str) -> list[str]:
    """The requirement lines of a pip requirements file that pin no exact version.

    Pinned: ``name==1.2``, ``name===1.2``, a direct reference (``name @ url``) or a bare URL or
    path (a file is what it is).  Option lines (``-r``, ``--index-url``, ``-e``, ...), comments
    and blank lines are not requirements.  Continuations are joined as pip joins them.
    """
    joined = re.sub(r"\\\r?\n", "", text.removeprefix("\ufeff"))  # pip skips a UTF-8 BOM too
    found = []
    for raw in joined.splitlines():  # pip's lines: str.splitlines, unlike a Dockerfile's
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not line or line.startswith("-"):
            continue
        requirement = line.split(";", 1)[0].split(" --", 1)[0].strip()
        if "/" in requirement.split("[", 1)[0] or requirement.startswith("."):
            continue  # a local path or archive
        if not _PINNED.search(requirement):
            found.append(requirement)
    return found


def requirements_finding(use: PyenvUse, text: str) -> Finding | None:
    """A requirements file's unpinned requirements; none for a lock file, which pins all."""
    if use.requirements is None or is_lock(use.requirements):
        return None
    unpinned = unpinned_requirements(text)
    if not unpinned:
        return None
    shown = ", ".join(unpinned[:_SHOWN]) + (f" and {len(unpinned) - _SHOWN} more" if len(unpinned) > _SHOWN else "")
    return Finding(
        UNPINNED_REQUIREMENTS,
        f"{use.requirements} of PYENV {use.name} has {len(unpinned)} requirement(s) without an exact"
        f" version ({shown}): each rebuild may install other versions; pin them with ==",
        use.line,
        use.end_line,
    )


def enabled_findings(findings: Iterable[Finding], config: CheckConfig) -> list[Finding]:
    return sorted((f for f in findings if config.enabled(f.rule)), key=lambda f: (f.line, f.rule.name))


def violation_message(findings: Iterable[Finding]) -> str:
    """The error of a build with ``error=true`` and findings, worded as BuildKit words its own."""
    rules = sorted({f.rule.name for f in findings})
    return "lint violation found for rules: " + ", ".join(rules)
