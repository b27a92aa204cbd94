# syntax=local/astro-pyenv-frontend:dev
FROM python:3.12-slim
RUN echo PYENV is just a word here
ONBUILD RUN echo kept
