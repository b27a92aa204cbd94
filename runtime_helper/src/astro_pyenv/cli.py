"""Command line interface: ``astro-pyenv list | describe NAME | doctor [NAME ...] | --version``.

Exit codes: 0 success, 1 an environment is broken or unknown, 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

import astro_pyenv
from astro_pyenv.access import host_airflow
from astro_pyenv.describe import EnvironmentInfo, describe_environment
from astro_pyenv.doctor import EnvironmentCheck, check_environment
from astro_pyenv.errors import PyenvError
from astro_pyenv.probe import KEY_DISTRIBUTIONS, ProbeError
from astro_pyenv.resolve import environment_names, list_environments, variable_name


def _format_packages(info: EnvironmentInfo) -> str:
    return ", ".join(f"{dist}={info.packages.get(dist) or '-'}" for dist in KEY_DISTRIBUTIONS)


def _cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    envs = list_environments()
    if args.json:
        json.dump([{"name": n, "variable": variable_name(n), "python": p} for n, p in envs.items()], out)
        out.write("\n")
        return 0
    if not envs:
        out.write("No PYENV environments in this image (no ASTRO_PYENV_* variables are set).\n")
        return 0
    width = max(len(n) for n in envs)
    for name, path in envs.items():
        out.write(f"{name.ljust(width)}  {path}\n")
    return 0


def _cmd_describe(args: argparse.Namespace, out: TextIO) -> int:
    try:
        info = describe_environment(args.name)
    except (PyenvError, ProbeError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    if args.json:
        json.dump(info.as_dict(), out)
        out.write("\n")
    else:
        out.write(f"{info.name}: Python {info.python_version} at {info.python}\n  {_format_packages(info)}\n")
    return 0


def _print_check(check: EnvironmentCheck, out: TextIO) -> None:
    status = "OK" if check.ok else "BROKEN"
    if check.info is not None:
        out.write(f"[{status}] {check.name}: Python {check.info.python_version} at {check.info.python}\n")
        out.write(f"    {_format_packages(check.info)}\n")
    else:
        out.write(f"[{status}] {check.name}\n")
    if check.access is not None:
        answer = "yes" if check.access.available else "no"
        out.write(f"    Variables and Connections in a task: {answer}: {check.access.detail}\n")
        if check.access.fix:
            out.write(f"        to get them: {check.access.fix}\n")
    for warning in check.warnings:
        out.write(f"    warning: {warning}\n")
    for problem in check.problems:
        out.write(f"    problem: {problem}\n")


def _cmd_doctor(args: argparse.Namespace, out: TextIO) -> int:
    names: list[str] = list(args.names) or environment_names()
    if not names:
        out.write("No PYENV environments in this image (no ASTRO_PYENV_* variables are set); nothing to check.\n")
        return 0
    host = host_airflow()
    checks = [check_environment(name, host=host) for name in names]
    if args.json:
        json.dump(
            [
                {
                    "name": c.name,
                    "ok": c.ok,
                    "problems": c.problems,
                    "warnings": c.warnings,
                    "info": c.info.as_dict() if c.info else None,
                    "variables_and_connections": c.access.as_dict() if c.access else None,
                }
                for c in checks
            ],
            out,
        )
        out.write("\n")
    else:
        for check in checks:
            _print_check(check, out)
    broken = [c.name for c in checks if not c.ok]
    if broken:
        if not args.json:
            out.write(f"{len(broken)} of {len(checks)} environment(s) broken: {', '.join(broken)}\n")
        return 1
    if not args.json:
        out.write(f"All {len(checks)} environment(s) OK.\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="astro-pyenv", description="Inspect the PYENV virtual environments of this image."
    )
    parser.add_argument("--version", action="version", version=f"astro-pyenv {astro_pyenv.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p_list = sub.add_parser("list", help="list environment names and interpreter paths")
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_list.set_defaults(func=_cmd_list)
    p_desc = sub.add_parser("describe", help="show Python and key package versions of one environment")
    p_desc.add_argument("name")
    p_desc.add_argument("--json", action="store_true", help="machine-readable output")
    p_desc.set_defaults(func=_cmd_describe)
    p_doc = sub.add_parser("doctor", help="check every environment; exit 1 if any is broken")
    p_doc.add_argument("names", nargs="*", metavar="NAME", help="only check these (default: all)")
    p_doc.add_argument("--json", action="store_true", help="machine-readable output")
    p_doc.set_defaults(func=_cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args, sys.stdout))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
