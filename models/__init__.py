"""Models, loading and attention capture: everything that turns text into an AttentionCapture."""
