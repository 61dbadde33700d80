"""The Telegram front end, by role: app (build, start, stop, serve), handlers (messages and commands),
buttons (callback queries), inline (inline queries), format (HTML and keyboards) and guard (flood, retries,
token and update safety)."""
