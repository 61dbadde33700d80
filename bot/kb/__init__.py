"""The knowledge folder. Reading it (folder, model, yamlio, entries, load, questions) is what the core may import;
working on it (split, duplicates, lookup, staging, edit, importing, check, evaluate, store, history) serves `kb`."""
