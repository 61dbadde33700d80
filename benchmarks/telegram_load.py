"""Load benchmark of the Telegram front end: 300 questions from 50 chats against a local fake Bot API.

Usage:
    python benchmarks/telegram_load.py [--questions 300] [--chats 50] [--no-rate-limit] [--faults]

The real Application, rate limiter and HTTP stack run against the stand-in server of the tests
(devtools/botapi_fake.py) on 127.0.0.1, so the figures measure the bot, not Telegram. All questions
arrive in rounds, one per chat per --interval seconds (a person types slower still); latency is from the update being queued to its reply being
applied. With Telegram's own limit (30 messages a second overall) 300 replies need >= 10 s, so the
latency percentiles are dominated by the rate limiter; --no-rate-limit shows the bot's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # as every benchmark does, so `bot` and `devtools` import from this checkout

from bot.cli.main import make_conversation  # noqa: E402
from bot.config import StorageConfig, load_config  # noqa: E402
from bot.evaluation import load_cases  # noqa: E402
from bot.live import LiveAnswerer  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.frontends.telegram.app import build_application, start, stop  # noqa: E402
from bot.frontends.telegram.front import FLOOD_NOTICE  # noqa: E402
from devtools.botapi_fake import FakeBotAPI  # noqa: E402

TOKEN = "4242424242:AAHbenchmarkTokenNotARealOne_abcdefgh"


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by the nearest-rank method: the value at rank ceil(p/100 * n)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


async def run(args: argparse.Namespace) -> None:
    questions = [case.question for case in load_cases(ROOT / "eval" / "mongolia.yaml")]
    with tempfile.TemporaryDirectory() as folder:
        config = load_config(ROOT / "config.yaml", environ={})
        overall = 1e6 if args.no_rate_limit else config.telegram.overall_max_rate
        config = dataclasses.replace(
            config, storage=StorageConfig(str(Path(folder) / "bench.sqlite3")),
            telegram=dataclasses.replace(config.telegram, poll_timeout=1.0, request_timeout=2.0,
                                         retry_base_seconds=0.1, overall_max_rate=overall))
        fake = await FakeBotAPI(TOKEN).start()
        storage = Storage(config.storage.database)
        conversation = make_conversation(LiveAnswerer(config), config, storage, "telegram")
        app = build_application(config, conversation, storage, TOKEN, base_url=fake.base_url)
        await start(app, poll_timeout=1.0)
        if args.faults:
            fake.fail("sendMessage", ("status", 429, 1), ("status", 500), ("status", 502), ("delay", 2.5),
                      ("reset",), ("garbage",))
        queued: dict[int, list[float]] = {}
        begin = time.monotonic()
        rounds = -(-args.questions // args.chats)
        for number in range(args.questions):
            chat = 5000 + number % args.chats
            if number and number % args.chats == 0:
                await asyncio.sleep(args.interval)  # each chat asks its next question a little later
            fake.message(chat, questions[number % len(questions)])
            queued.setdefault(chat, []).append(time.monotonic())

        def replies() -> int:
            return sum(1 for m in fake.sent if m["text"] != FLOOD_NOTICE)

        try:
            await fake.wait_for(lambda: replies() >= args.questions, timeout=120)
        except AssertionError:
            pass
        elapsed = time.monotonic() - begin
        await asyncio.sleep(0.5)
        latencies = []
        per_chat: dict[int, list[float]] = {}
        for message, at in zip(fake.sent, fake.sent_at):
            if message["text"] != FLOOD_NOTICE:
                per_chat.setdefault(message["chat"]["id"], []).append(at)
        for chat, times in queued.items():
            latencies += [reply - asked for asked, reply in zip(times, per_chat.get(chat, []))]
        throttled = len(fake.sent) - replies()
        answers = replies()
        counts = storage.counts()
        await stop(app)
        await fake.stop()
        storage.close()
    limit = "none" if args.no_rate_limit else f"{overall:g} messages/s overall"
    print(f"questions {args.questions} from {args.chats} chats in {rounds} rounds {args.interval:g} s apart; "
          f"rate limit: {limit}; faults injected: {len(fake.faults_injected)}")
    print(f"replied {answers} ({answers / args.questions:.1%}), answered from the knowledge {counts['answered']} "
          f"({counts['answered'] / args.questions:.1%}), duplicates {max(0, answers - args.questions)}, "
          f"flood notices {throttled}")
    print(f"wall {elapsed:.2f} s, {answers / elapsed:.1f} replies/s")
    if latencies:
        print("latency s: p50 {:.3f}  p90 {:.3f}  p99 {:.3f}  max {:.3f}  mean {:.3f}".format(
            percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99), max(latencies),
            statistics.fmean(latencies)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a chat's questions")
    parser.add_argument("--no-rate-limit", action="store_true", help="lift the 30 messages/s overall limit")
    parser.add_argument("--faults", action="store_true", help="inject a 429, 5xx, a timeout, a reset and bad JSON")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
