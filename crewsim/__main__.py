"""``python -m crewsim``: the ``crewsim`` command line."""

from sim.cli import main

raise SystemExit(main())
