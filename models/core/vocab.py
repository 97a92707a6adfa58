"""Word ↔ id for one language, with the special tokens as named ids (never 0/1/2/3 literals)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

PAD, SOS, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"
SPECIALS = (PAD, SOS, EOS, UNK)


class Vocab:
    """Word ↔ id. The special tokens come first; read their ids from `pad_id`, `sos_id`, `eos_id`, `unk_id`."""

    def __init__(self, words: Iterable[str]):
        self.itos: list[str] = list(SPECIALS) + [w for w in dict.fromkeys(words) if w not in SPECIALS]
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}

    @classmethod
    def from_itos(cls, itos: Sequence[str]) -> Vocab:
        """The vocabulary exactly as saved (ids kept); it must hold every special token."""
        missing = [s for s in SPECIALS if s not in itos]
        if missing:
            raise ValueError(f"A saved vocabulary lacks the special tokens {missing}")
        vocab = cls([])
        vocab.itos, vocab.stoi = list(itos), {w: i for i, w in enumerate(itos)}
        return vocab

    @property
    def pad_id(self) -> int:
        return self.stoi[PAD]

    @property
    def sos_id(self) -> int:
        return self.stoi[SOS]

    @property
    def eos_id(self) -> int:
        return self.stoi[EOS]

    @property
    def unk_id(self) -> int:
        return self.stoi[UNK]

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: object) -> bool:
        return word in self.stoi

    def encode(self, tokens: Iterable[str]) -> list[int]:
        unk = self.unk_id
        return [self.stoi.get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[i] for i in ids]

    def words(self) -> list[str]:
        """Every real word, specials left out."""
        return [w for w in self.itos if w not in SPECIALS]
