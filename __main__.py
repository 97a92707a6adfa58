"""`python -m attention_explorer …` is the `attention-explorer` command."""

from attention_explorer.models.cli import main

raise SystemExit(main())
