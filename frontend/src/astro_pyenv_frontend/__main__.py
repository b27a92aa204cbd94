"""``python -m astro_pyenv_frontend``: the BuildKit frontend (our image's ENTRYPOINT).

Run by BuildKit, whose gateway API arrives on stdin/stdout, it first drops to
an unprivileged user; with command-line arguments or outside BuildKit it
defers to the developer CLI instead.
"""

from __future__ import annotations

import os
import sys
import time

STARTED = time.perf_counter()  # the gateway's first timed phase counts its imports from here


def _under_buildkit() -> bool:
    return "BUILDKIT_SESSION_ID" in os.environ or "BUILDKIT_FRONTEND_OPT_0" in os.environ


def main() -> int:
    if len(sys.argv) > 1 or not _under_buildkit():
        from .cli import main as cli_main

        result = cli_main()
        return int(result or 0)
    # BuildKit runs frontends as root whatever the image's USER says: leave root before
    # anything reads the build's input.
    from .privileges import PrivilegeError, drop_privileges

    try:
        drop_privileges()
    except PrivilegeError as err:
        from .gateway.build import main_error

        return main_error(f"astro-pyenv frontend: {err}; refusing to run the build as root")
    from .gateway.build import main as gateway_main

    return gateway_main(STARTED)


if __name__ == "__main__":
    sys.exit(main())
