"""`python -m bot`: the command line, which lives in bot.cli.main."""
from .cli.main import main

if __name__ == "__main__":
    main()
