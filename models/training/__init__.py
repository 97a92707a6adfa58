"""Corpus generation, the training loop and evaluation. The app never imports this package."""
