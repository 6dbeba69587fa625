"""python -m studydeck: the same as the studydeck command."""

from studydeck.cli import main

raise SystemExit(main())
