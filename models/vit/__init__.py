"""A small Vision Transformer on 8×8 digits (model.py) and its [CLS] and patch attention (capture.py)."""
