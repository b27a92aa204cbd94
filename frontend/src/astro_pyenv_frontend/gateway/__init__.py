"""BuildKit gateway side of the frontend.

BuildKit starts our image and speaks its LLBBridge gRPC API over our
stdin/stdout.  The modules here each do one job: ``opts`` reads what BuildKit
put in the environment, ``caps`` checks what the engine can do, ``source`` reads
the user's Dockerfile, ``dockerfile`` runs the transform when a line can be
PYENV, ``warn`` sends warnings, ``llb`` builds the few LLB definitions we need,
``transport``/``client`` talk gRPC, ``errors`` turns failures into statuses
BuildKit can show with a source snippet, ``timing`` logs where the time went,
and ``build`` glues them together.
Nothing here imports gRPC at import time: start-up time is part of every build.
"""
