"""The planner's phases, as BuildKit's Dockerfile frontend goes from parse to dispatch.

- :mod:`.steps`: what a plan holds (the public data).
- :mod:`.parse`: the lexed Dockerfile as typed stages: their FROM, PYENV groups and scope.
- :mod:`.base_image`: how a stage uses its base image, from the image configs the gateway read.
- :mod:`.project`: the Astro Runtime project copy replayed after the PYENV work.
- :mod:`.order`: the steps of a converted stage, in output order.
- :mod:`.names`: the generated stage names, unique among the user's.

:mod:`..plan` runs them in turn and is the public entry point.
"""
