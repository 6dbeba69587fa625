"""The sequence kernels: one direction of one layer over a whole sequence, forward and BPTT,
written for speed (fused gates, one exp per gate, reused work buffers)."""
