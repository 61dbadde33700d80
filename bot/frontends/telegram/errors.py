"""What can stop the Telegram bot from starting, each saying how to fix it (never showing the token).

The entry point (bot.cli.main) prints each as one `Error: ...` line and picks the exit code.
"""

from __future__ import annotations

from ...errors import BotError


class TokenError(BotError):
    """TELEGRAM_BOT_TOKEN is missing or is not shaped like a bot token."""


class WebhookError(BotError):
    """Webhook mode lacks its public https:// URL, or TELEGRAM_WEBHOOK_SECRET holds characters Telegram refuses."""


class TokenRejected(BotError):
    """Telegram does not know the token (revoked, or mistyped in a valid shape)."""


class BotApiUnreachable(BotError):
    """The Bot API could not be reached or answered with an error at start-up: a network problem, not a setup one."""
