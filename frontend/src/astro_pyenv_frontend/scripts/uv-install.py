"""Run ``uv pip install`` with the pip settings a pip install in the same step would have obeyed.

usage: PYTHON -I uv-install.py UV VENV_PYTHON [uv pip install arguments...]

make-venv.sh runs it for a PYENV line with --installer=uv, under the venv's own Python (the only
Python every base has once the interpreter is in; so CPython 3.6 syntax, standard library only).
The user's settings stay pip's, whichever installer runs: the pip configuration files pip would
read (the base image's, the user's, the astro-pyenv-pip-conf secret as PIP_CONFIG_FILE), with
pip's sections (global, then install) and precedence, then the PIP_* variables (build args, the
astro-pyenv-settings secret, the stage's ENV, the CA secret as PIP_CERT), which win.  Each is
translated to what uv reads (:data:`TRANSLATED`); one that changes what pip would install and uv
cannot be told is an error naming it, never dropped in silence; one with no effect on the venv
(:data:`NO_EFFECT`) is named in a note.  Only setting names are printed, never values: index URLs
carry credentials.

uv reads no uv.toml (UV_NO_CONFIG), never downloads a Python, copies files rather than linking
them into the cache, and compiles bytecode as pip does (:data:`FIXED`).  With extra indexes or
find-links it picks the best version across all of them, as pip does (UV_INDEX_STRATEGY, uv's
default being the first index that has the package).  The stage's own UV_* variables still reach
it, under those.
"""

import configparser
import os
import sys
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

#: What uv is always given (the cache, UV_CACHE_DIR or UV_NO_CACHE, comes from make-venv.sh).
FIXED = {
    "UV_NO_CONFIG": "1",
    "UV_PYTHON_DOWNLOADS": "never",
    "UV_LINK_MODE": "copy",
    "UV_COMPILE_BYTECODE": "1",
    "UV_NO_PROGRESS": "1",
}

#: pip settings with no effect on a new venv's contents, or that make-venv.sh sets for pip itself.
NO_EFFECT = frozenset(
    {
        "cache-dir", "no-cache-dir", "disable-pip-version-check", "no-input", "no-color", "progress-bar",
        "quiet", "verbose", "log", "root-user-action", "break-system-packages", "require-virtualenv",
        "no-warn-script-location", "no-warn-conflicts", "upgrade", "upgrade-strategy",
        "no-python-version-warning",
    }
)  # fmt: skip

_TRUE = ("1", "yes", "true", "on", "y", "t")
_FALSE = ("0", "no", "false", "off", "n", "f", "")

Settings = Dict[str, Tuple[str, str]]  # pip setting -> (value, where it was set)


class Untranslatable(Exception):
    """A pip setting uv cannot honour; the message says which and where."""


def msg_untranslatable(key: str, origin: str) -> str:
    return (
        "astro-pyenv: --installer=uv cannot honour pip's setting {} (from {}): remove it, or install"
        " this PYENV line with --installer=pip".format(key, origin)
    )


def msg_bad_value(key: str, origin: str) -> str:
    return "astro-pyenv: pip's setting {} (from {}) is not a yes/no value".format(key, origin)


def msg_unreadable(path: str, exc: Exception) -> str:
    return "astro-pyenv: pip's configuration file {} cannot be read: {}".format(path, exc)


def normal_key(key: str) -> str:
    """pip's spelling of a setting: ``index_url``, ``--index-url`` -> ``index-url``."""
    key = key.strip().lower().replace("_", "-")
    return key[2:] if key.startswith("--") else key


def config_files(environ: Mapping[str, str]) -> List[str]:
    """The pip configuration files pip reads, in the order it lets the later ones win."""
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    xdg_dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    files = [os.path.join(d, "pip", "pip.conf") for d in xdg_dirs.split(os.pathsep) if d]
    files.append("/etc/pip.conf")
    if not (env_file and os.path.exists(env_file)):
        home = os.path.expanduser("~")
        files.append(os.path.join(home, ".pip", "pip.conf"))
        xdg_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        files.append(os.path.join(xdg_home, "pip", "pip.conf"))
    if env_file:
        files.append(env_file)
    return files


def read_config(paths: Sequence[str]) -> Settings:
    """The settings of ``paths`` for ``pip install``: section global, then install, later files winning."""
    settings: Settings = {}
    for path in paths:
        if not os.path.isfile(path):
            continue
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError) as exc:  # pip stops on it too
            raise Untranslatable(msg_unreadable(path, exc)) from None
        for section in ("global", "install"):
            if parser.has_section(section):
                for key, value in parser.items(section):
                    settings[normal_key(key)] = (value, "{} [{}]".format(path, section))
    return settings


def read_environment(environ: Mapping[str, str]) -> Settings:
    """The PIP_<SETTING> variables, as pip reads them (PIP_CONFIG_FILE is not a setting)."""
    return {
        normal_key(name[4:]): (value, "variable " + name)
        for name, value in environ.items()
        if name.startswith("PIP_") and name != "PIP_CONFIG_FILE"
    }


def _flag(key: str, value: str, origin: str) -> bool:
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise Untranslatable(msg_bad_value(key, origin))


def _binary_rule(value: str, all_name: str, package_name: str) -> Dict[str, str]:
    """pip's --only-binary/--no-binary value (:all:, :none: or names) as uv's variables."""
    names = [name for name in value.replace(",", " ").split() if name]
    if ":all:" in names:
        return {all_name: "1"}
    names = [name for name in names if name != ":none:"]
    return {package_name: " ".join(names)} if names else {}


def _words(value: str) -> str:
    return " ".join(value.split())


def translate(settings: Settings) -> Tuple[Dict[str, str], List[str], List[str]]:
    """uv's variables and arguments for pip's ``settings``, and the names of those with no effect."""
    env: Dict[str, str] = {}
    args: List[str] = []
    ignored: List[str] = []
    for key in sorted(settings):
        value, origin = settings[key]
        if key in NO_EFFECT:
            ignored.append(key)
        elif key in TRANSLATED:
            env.update(TRANSLATED[key](value))
        elif key == "cert":
            args += ["--cert", value]  # pip's replaces the trusted CAs; uv's SSL_CERT_FILE adds to them
        elif key in FLAGS:
            if _flag(key, value, origin):
                env.update(FLAGS[key][0])
                args += FLAGS[key][1]
        else:
            raise Untranslatable(msg_untranslatable(key, origin))
    return env, args, ignored


#: pip setting -> uv's variables for its value.
TRANSLATED: Dict[str, Callable[[str], Dict[str, str]]] = {
    "index-url": lambda value: {"UV_INDEX_URL": value.strip()},
    "extra-index-url": lambda value: {"UV_EXTRA_INDEX_URL": _words(value)},
    "trusted-host": lambda value: {"UV_INSECURE_HOST": _words(value)},
    "find-links": lambda value: {"UV_FIND_LINKS": ",".join(value.split())},
    "constraint": lambda value: {"UV_CONSTRAINT": _words(value)},
    "timeout": lambda value: {"UV_HTTP_TIMEOUT": value.strip()},
    "default-timeout": lambda value: {"UV_HTTP_TIMEOUT": value.strip()},
    "retries": lambda value: {"UV_HTTP_RETRIES": value.strip()},
    "client-cert": lambda value: {"SSL_CLIENT_CERT": value.strip()},
    "proxy": lambda value: {"HTTP_PROXY": value.strip(), "HTTPS_PROXY": value.strip()},
    "only-binary": lambda value: _binary_rule(value, "UV_NO_BUILD", "UV_NO_BUILD_PACKAGE"),
    "no-binary": lambda value: _binary_rule(value, "UV_NO_BINARY", "UV_NO_BINARY_PACKAGE"),
}

#: pip's yes/no settings -> (uv's variables, uv's arguments) when yes; no does nothing.
FLAGS: Dict[str, Tuple[Dict[str, str], List[str]]] = {
    "pre": ({"UV_PRERELEASE": "allow"}, []),
    "require-hashes": ({"UV_REQUIRE_HASHES": "1"}, []),
    "no-index": ({}, ["--no-index"]),
}


def uv_command(
    uv: str, venv_python: str, install_args: Sequence[str], environ: Mapping[str, str]
) -> Tuple[List[str], Dict[str, str], List[str]]:
    """uv's command line and environment for ``install_args``, and the settings translated and
    ignored (names only, for the log)."""
    settings = read_config(config_files(environ))
    settings.update(read_environment(environ))
    settings = {key: found for key, found in settings.items() if found[0].strip()}  # empty: as if unset
    env_vars, args, ignored = translate(settings)
    env = {name: value for name, value in environ.items() if not name.startswith("PIP_")}
    env.update(env_vars)
    env.update(FIXED)
    if "UV_EXTRA_INDEX_URL" in env_vars or "UV_FIND_LINKS" in env_vars:
        # pip takes the best version from every index and find-links location; uv by default stops
        # at the first index that has the package.  The stage's own UV_INDEX_STRATEGY wins.
        env.setdefault("UV_INDEX_STRATEGY", "unsafe-best-match")
    translated = sorted(key for key in settings if key not in ignored)
    command = [uv, "pip", "install", "--python", venv_python, *args, *install_args]
    return command, env, [*translated, *(["(no effect under uv: " + " ".join(ignored) + ")"] if ignored else [])]


def main(argv: Sequence[str], environ: Optional[Mapping[str, str]] = None) -> int:
    if len(argv) < 2:
        sys.stderr.write("usage: uv-install.py UV VENV_PYTHON [uv pip install arguments...]\n")
        return 2
    try:
        command, env, named = uv_command(argv[0], argv[1], argv[2:], os.environ if environ is None else environ)
    except Untranslatable as exc:
        sys.stderr.write(str(exc) + "\n")
        return 1
    if named:
        sys.stderr.write("astro-pyenv: uv gets pip's settings: " + " ".join(named) + "\n")
    sys.stderr.flush()
    os.execve(command[0], command, env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
