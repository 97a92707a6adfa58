"""A small GPT (decoder-only, GPT2LMHeadModel) trained here on the corpus's English side, read by the same loader
as any local Hugging Face model."""
