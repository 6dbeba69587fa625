"""The lab: the long-lag tasks of Hochreiter & Schmidhuber (1997), trained with the engine.

- :mod:`studydeck.lab.tasks`: the registry; one module per task (``adding``,
  ``temporal_order``, ``long_lag``, ``reber``), each with a seeded generator,
  a test set and the paper's success criterion.
- :mod:`studydeck.lab.model`: a recurrent layer (LSTM, GRU or RNN) and a Linear read-out.
- :mod:`studydeck.lab.run`: the training loop, evaluations and the result.
- :mod:`studydeck.lab.command`: ``studydeck lab train TASK ...``.

This package may import numpy and the engine, never the TUI.  Importing the
package itself (or :mod:`studydeck.lab.command`) loads neither numpy nor the engine.
"""
