"""Tools for developing factbot, shared by the tests and the benchmarks (never installed with the bot)."""
