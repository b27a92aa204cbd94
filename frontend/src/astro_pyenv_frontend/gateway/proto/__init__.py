"""Generated protobuf modules for the subset of BuildKit's gateway API we use."""
