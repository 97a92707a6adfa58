"""A Hugging Face model from a local directory: load it, capture its attention, explain a score."""
