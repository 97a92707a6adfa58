"""The `attention-explorer` command (also `python -m attention_explorer`).

    attention-explorer run                     start the app (Streamlit) on http://localhost:8501
    attention-explorer serve --replicas N      N app processes behind nginx (a class or a school)
    attention-explorer export TEXT -o F        a pretrained model's attention as JSON or CSV
    attention-explorer translate TEXT -o F     a translation with its attention (or --input FILE)
    attention-explorer evaluate FILE           figures of the translators on a JSONL file of en/fr pairs
    attention-explorer train MODEL             retrain a model in models/weights/ (seq2seq, transformer, …)
    attention-explorer corpus                  write the generated English→French corpus

Each command has its own --help. Heavy libraries load only for the command that needs them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence


def _run(argv: Sequence[str]) -> int:
    from attention_explorer.models import serve

    return serve.main(argv)


def _serve(argv: Sequence[str]) -> int:
    from attention_explorer.models import deploy

    return deploy.main(argv)


def _export(argv: Sequence[str]) -> int:
    from attention_explorer.models.pretrained import command

    return command.main(argv)


def _translate(argv: Sequence[str]) -> int:
    from attention_explorer.models.translation import command

    return command.translate_main(argv)


def _evaluate(argv: Sequence[str]) -> int:
    from attention_explorer.models.translation import command

    return command.evaluate_main(argv)


# `attention-explorer train MODEL …`: each model family's training command lives in its own module
TRAINERS = {
    "seq2seq": "train",  # both GRU translators
    "transformer": "train",
    "vit": "train_vit",
    "gpt": "train_gpt",
    "classifier": "train_classifier",
}


def _train(argv: Sequence[str]) -> int:
    if not argv or argv[0] not in TRAINERS:
        print(f"usage: attention-explorer train {{{','.join(TRAINERS)}}} [options]  (each has --help)")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(f"attention_explorer.models.training.{TRAINERS[argv[0]]}")
    return int(module.main(list(argv)))


def _corpus(argv: Sequence[str]) -> int:
    from attention_explorer.models.training import corpus

    corpus.main(list(argv))
    return 0


COMMANDS: dict[str, Callable[[Sequence[str]], int]] = {
    "run": _run,
    "serve": _serve,
    "export": _export,
    "translate": _translate,
    "evaluate": _evaluate,
    "train": _train,
    "corpus": _corpus,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        print(__doc__)
        return 0 if args and args[0] in ("-h", "--help") else 2
    return COMMANDS[args[0]](args[1:])


if __name__ == "__main__":
    raise SystemExit(main())
