"""Front ends: the console and Telegram. Each shows an Answer from the core and decides nothing about it;
the objects they use (config, answerer, conversation, question log) are built by bot.cli.main."""
