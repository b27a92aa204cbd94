"""BuildKit gateway side of the frontend.

BuildKit starts our image and speaks its LLBBridge gRPC API over our
stdin/stdout.  The modules here each do one job: ``opts`` reads what BuildKit
put in the environment, ``llb`` builds the few LLB definitions we need,
``transport``/``client`` talk gRPC, ``errors`` turns failures into statuses
BuildKit can show with a source snippet, and ``build`` glues them together.
Nothing here imports gRPC at import time: start-up time is part of every build.
"""
