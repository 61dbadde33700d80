"""`python -m bot`: the command line, which lives in bot.cli.main."""
import gc

# Importing the command line builds thousands of objects that live as long as the process (modules,
# classes, compiled patterns): collecting while they are made only walks them (~7 ms a start).
# The command line turns the collector back on: at once for every command but `ask`, after it has
# built its answerer for `ask`.
gc.disable()

from .cli.main import main  # noqa: E402 - after the collector is off

if __name__ == "__main__":
    main()
