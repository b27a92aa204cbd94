import sys

from astro_pyenv.cli import main

sys.exit(main())
