"""Frontend options from BuildKit's environment variables."""

from __future__ import annotations

from astro_pyenv_frontend.gateway.opts import parse_env


def test_parse_env_reads_numbered_options_and_session() -> None:
    env = {
        "BUILDKIT_FRONTEND_OPT_0": "source=local/astro:dev",
        "BUILDKIT_FRONTEND_OPT_1": "image-resolve-mode=local",
        "BUILDKIT_FRONTEND_OPT_2": "filename=sub/My.Dockerfile",
        "BUILDKIT_FRONTEND_OPT_3": "build-arg:A=x=y",
        "BUILDKIT_FRONTEND_OPT_4": "cmdline=local/astro:dev",
        "BUILDKIT_FRONTEND_OPT_5": "target=final",
        "BUILDKIT_FRONTEND_OPT_X": "ignored=1",
        "BUILDKIT_SESSION_ID": "sess",
        "BUILDKIT_WORKERS": '[{"ID":"w"}]',
        "PATH": "/bin",
    }
    o = parse_env(env)
    assert o.opts == {
        "source": "local/astro:dev", "image-resolve-mode": "local", "filename": "sub/My.Dockerfile",
        "build-arg:A": "x=y", "cmdline": "local/astro:dev", "target": "final",
    }
    assert o.session_id == "sess"
    assert o.workers == ({"ID": "w"},)
    assert o.filename == "sub/My.Dockerfile"
    assert o.build_args == {"A": "x=y"}
    assert o.target == "final"
    assert o.source == "local/astro:dev"
    assert o.dockerfile_local_name == "dockerfile" and not o.force_local_dockerfile
    assert not o.remote_context


def test_defaults_and_keys() -> None:
    o = parse_env({"BUILDKIT_FRONTEND_OPT_0": "dockerfilekey=df2", "BUILDKIT_FRONTEND_OPT_1": "context=https://github.com/x/y.git"})
    assert o.filename == "Dockerfile"
    assert o.dockerfile_local_name == "df2" and o.force_local_dockerfile
    assert o.remote_context
    assert parse_env({"BUILDKIT_WORKERS": "not json"}).workers == ()
