"""A small Transformer encoder-decoder (Vaswani et al. 2017) returning all three attentions."""
