"""Studying: the clock, today's queue, the FSRS scheduler, the session state machine, stats.

Importing the package is cheap; nothing here imports textual or numpy.
"""
