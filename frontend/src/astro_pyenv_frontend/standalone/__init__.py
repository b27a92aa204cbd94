"""The Dockerfile's PYENV environments on this machine, for Astro CLI's standalone mode.

``astro dev start --standalone`` runs Airflow on the host from the project's ``.venv`` and reads
only the ``FROM`` line of the Dockerfile; the environments PYENV lines put in an image do not
exist there.  ``astro-pyenv-frontend standalone`` makes them: it reads the Dockerfile with the
same parser and planner as a build, gets each interpreter the way a build would (the prebuilt
image of the frontend image's catalog, for this machine's platform and glibc, fetched from its
registry and fitted here), makes each venv with the same script, and writes
``ASTRO_PYENV_<name>`` into a managed block of the project's ``.env``, which standalone mode
reads.  Running it again changes only what the Dockerfile or a requirements file changed.

Why in the frontend's CLI and not the runtime helper: the parser, the planner and the catalog
live here; the helper is standard-library only and runs inside images and task processes.

Modules::

    project      the Dockerfile's environments, as the planner reads them
    interpreters one CPython on this machine: fetched, extracted, fitted; or one the user names
    venvs        one venv, with scripts/make-venv.sh
    dotenv       the managed block of .env
    state        what each environment was made from
    command      the command: all of the above, in order
"""
