"""studydeck: spaced repetition and numeric drills on recurrent networks.

Importing this package costs nothing: it holds the version only.
"""

__version__ = "0.1.0"
