"""Text drawings: the LSTM/GRU cell diagram, the review heatmap, bar plots."""
