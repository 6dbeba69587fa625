"""``python -m studydeck``: the ``studydeck`` command."""

try:
    from studydeck.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command itself loads
    raise SystemExit(130) from None

raise SystemExit(main())
