"""Telegram inline mode: `@botname question` offers the answer and the other passages the core found worth
offering (`Answer.alternatives`); an empty query offers the example questions' answers."""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from .format import html_chunks, label, source_line
from .front import front_of

log = logging.getLogger(__name__)

MAX_RESULTS = 3


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline mode: `@botname question` offers the top answers (examples for an empty query)."""
    front = front_of(context)
    query = update.inline_query
    if not await front.admit(update, context):
        return
    text = query.query.strip()
    results = []
    if not text:
        answerer = front.live.current
        for number, example in enumerate(answerer.examples):
            answer = answerer.answer(example)  # a preview nobody asked for: no session, not logged
            if answer.found:
                results.append(_article(f"ex{number}", example, answer.text, answer.citation, answer.passage_ids,
                                        answer.source_url))
    else:
        answer = front.conversation.ask("", text, log_as=f"inline:{query.from_user.id}")
        if answer.found:
            results.append(_article("a0", text, answer.text, answer.citation, answer.passage_ids, answer.source_url))
        for other in answer.alternatives[:max(0, MAX_RESULTS - len(results))]:
            results.append(_article(f"h{len(results)}", other.hit.section or text, other.hit.text, other.citation,
                                    (other.hit.id,), other.url))
    try:
        await front.send(lambda: query.answer(results, cache_time=30), "answerInlineQuery", query.from_user.id)
    except BadRequest as exc:  # the query expired (users type fast): nothing to do
        log.info("inline answer refused: %s", exc)


def _article(result_id: str, title: str, text: str, citation: str, ids: tuple[str, ...],
             url: str) -> InlineQueryResultArticle:
    """One inline result: the passage as the message to send, with its source line."""
    body = html_chunks(text, source_line(citation, ids, url))[0]
    return InlineQueryResultArticle(result_id, title=label(title, 60), description=label(text, 120),
                                    input_message_content=InputTextMessageContent(
                                        body, parse_mode=ParseMode.HTML,
                                        link_preview_options=LinkPreviewOptions(is_disabled=True)))
