"""``python -m devstack <command>``: see devstack.cli."""

from devstack.cli import main

raise SystemExit(main())
