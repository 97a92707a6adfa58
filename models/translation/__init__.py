"""What the translators share: one Translator type, greedy and beam decoding, the translation capture."""
