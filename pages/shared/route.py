"""The lesson route on the home page: the order a course teaches attention, each step a question and an example."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    title: str
    question: str  # the one-line question the page answers
    page: str  # the page file, as in app.py's navigation
    query: dict[str, str] = field(default_factory=dict)  # the prepared example, as link parameters


LONG_SENTENCE = (
    "the shows are thirsty because every early text to the productions and some temples have worked for the dear "
    "boyfriend on that chocolate ."
)

ROUTE: tuple[Step, ...] = (
    Step(
        "Attention as pooling",
        "Before any network: how do queries, keys and values make a prediction, and what does the width do?",
        "pages/pooling.py",
        {"width": "0.5", "query": "3.2"},
    ),
    Step(
        "Encoder-decoder and its bottleneck",
        "Why does one fixed context vector forget the start of a long sentence?",
        "pages/seq2seq.py",
        {"text": LONG_SENTENCE},
    ),
    Step(
        "Bahdanau alignment, step by step",
        "At each output word, where does the decoder look — and can you guess it first?",
        "pages/seq2seq.py",
        {"text": "the green apple will fall .", "predict": "1", "step": "1"},
    ),
    Step(
        "Scoring functions",
        "Additive or dot-product: how is a score made, and why divide by √d?",
        "pages/playground.py",
        {"scale": "0"},
    ),
    Step(
        "Multi-head self-attention",
        "What does splitting d into several heads change?",
        "pages/playground.py",
        {"heads": "2"},
    ),
    Step(
        "Positional encoding",
        "How does a model that sees all words at once know their order?",
        "pages/positions.py",
        {"shift": "3"},
    ),
    Step(
        "The Transformer's three attentions",
        "Which attention aligns French with English, and what does the causal mask hide?",
        "pages/transformer.py",
        {"attention": "Encoder-decoder cross-attention"},
    ),
    Step(
        "BERT",
        "In a pretrained model, which head links “it” to the word it stands for?",
        "pages/bert.py",
        {"text": "The animal didn't cross the street because it was too tired."},
    ),
    Step(
        "Comparing heads",
        "Change one word — “big” for “small” — and which heads look elsewhere?",
        "pages/compare.py",
        {},
    ),
    Step(
        "GPT: a decoder writes",
        "When each token may look only backwards, how does a model choose the next word, and where does each "
        "head look back?",
        "pages/gpt.py",
        {"text": "the old king did not", "head": "2"},  # layer 0: the default, so not in the link
    ),
    Step(
        "Fine-tuning BERT",
        "Teach a pretrained model to tell a question from a statement: which of its heads change?",
        "pages/finetune.py",
        {"text": "did the children laugh at the clown"},
    ),
    Step(
        "The Vision Transformer",
        "When the tokens are patches of an image, what does [CLS] look at to read a digit?",
        "pages/vit.py",
        {"index": "7"},
    ),
)
