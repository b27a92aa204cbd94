"""BuildKit frontend that turns PYENV instructions into plain Dockerfile stages."""
