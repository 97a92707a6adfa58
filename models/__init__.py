"""Models and their attention captures, one sub-package per family.

core/        what every family shares: AttentionCapture, vocabulary, checkpoint I/O, text normalisation
pretrained/  any local Hugging Face model (the bundled MiniLM by default): load, capture, explain a score
rnn/         the GRU encoder-decoder with Bahdanau attention (and without)
transformer/ the small Transformer encoder-decoder
translation/ what both translators share: the Translator type, decoding, the translation capture
teaching/    numpy-only lessons: the scaled dot-product playground, positional encodings
training/    corpus generation, the training loop, evaluation (not imported by the app)
cli.py       the `attention-explorer` command
"""
