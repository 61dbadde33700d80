"""The Telegram front end, by role: app (build, start, stop, serve: wiring only), front (the state handlers
share, sending and answering), handlers (messages and commands), buttons (callback queries), inline (inline
queries), keyboards (buttons and the tokens behind them), format (HTML), guard (flood, retries, token and
update safety) and errors (what stops the bot from starting)."""
