"""The GRU encoder-decoder (Bahdanau et al. 2015), with additive attention or one fixed context vector."""
