"""NumPy-only lessons: scaled dot-product, additive and multi-head attention; positional encodings."""
