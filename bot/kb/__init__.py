"""The knowledge folder: its values, loading and validating, splitting documents, editing with history, checking
and evaluating. Reading it (model, folder, load) is what the core may import; the rest serves `kb` commands."""
