"""The bundled MiniLM fine-tuned with LoRA adapters for a sentence classification task (transfer learning)."""
