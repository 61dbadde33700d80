"""Non-English questions: how often the rule in bot/core/language.py fires on English questions (false
positives: every question of eval/*.yaml and every SQuAD question) and on questions in other languages.

The SQuAD questions are judged twice: against the seed knowledge's words (the strict case: the bot
knows none of the article's names) and against their own article's words (as when the article is imported).

Usage:
    python benchmarks/foreign.py [--corpus PATH] [--list]     # --list prints every question that fired
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import REPO
from benchmarks.squad import DEFAULT_SQUAD, read_squad
from bot.config import load_config
from bot.core.expand import Expander
from bot.core.index import TfidfIndex
from bot.core.language import is_foreign
from bot.core.pipeline import build_answerer
from bot.core.reading import Reader
from bot.core.settings import AnswerSettings
from bot.kb.model import Passage

# Questions people ask in other languages, written for this check (not tuned on: see README, Non-English).
FOREIGN = (
    "¿Cuándo empezó la cooperación entre la OTAN y Mongolia?", "¿Qué es el centro Five Hills?",
    "¿Quién pagó el apoyo contra la COVID-19?", "Quand la Mongolie a-t-elle commencé à coopérer avec l'OTAN ?",
    "Qu'est-ce que le programme SPS ?", "Pourquoi la Mongolie travaille-t-elle avec l'OTAN ?",
    "Wann hat die Zusammenarbeit zwischen der NATO und der Mongolei begonnen?", "Was ist das DEEP Programm?",
    "Wer hat die Hilfe bezahlt?", "Quando è iniziata la cooperazione tra la NATO e la Mongolia?",
    "Quando começou a cooperação entre a OTAN e a Mongólia?", "Wanneer begon de samenwerking met de NAVO?",
    "Монгол НАТО-той хэзээ хамтран ажиллаж эхэлсэн бэ?", "Таван толгой төв гэж юу вэ?",
    "Когда Монголия начала сотрудничать с НАТО?", "蒙古什么时候开始与北约合作？", "モンゴルはいつNATOと協力し始めましたか？",
    "Moğolistan NATO ile ne zaman işbirliğine başladı?", "Kiedy Mongolia zaczęła współpracę z NATO?",
    "Монгол улс Афганистанд юу хийсэн бэ?",
)


def eval_questions() -> list[str]:
    """Every question of eval/*.yaml, with the earlier questions of its conversation."""
    out = []
    for path in sorted((REPO / "eval").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            out += [item["q"], *item.get("context", [])]
    return out


def article_reader(paragraphs: tuple[str, ...], settings: AnswerSettings) -> Reader:
    """A reader over one article's paragraphs, as if the article were the knowledge."""
    index = TfidfIndex.build(tuple(Passage(f"p{i}", text) for i, text in enumerate(paragraphs)))
    return Reader(index.vocabulary, index.word_counts, Expander((), {}), settings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--list", action="store_true", help="print every question that fired")
    args = parser.parse_args()
    settings = AnswerSettings()
    seed = build_answerer(load_config(REPO / "config.yaml")).reader
    articles = read_squad(args.corpus)
    rows = [("eval/*.yaml, seed words", [(q, seed) for q in eval_questions()]),
            ("SQuAD, seed words", [(q.text, seed) for a in articles for q in a.questions])]
    rows.append(("SQuAD, own article's words", [(q.text, reader) for a in articles
                                                for reader in [article_reader(a.paragraphs, settings)]
                                                for q in a.questions]))
    rows.append(("other languages (FOREIGN), seed words", [(q, seed) for q in FOREIGN]))
    print(f"{'questions':42} {'n':>6} {'fired':>6}")
    for name, asked in rows:
        fired = [q for q, reader in asked if is_foreign(q, reader.knows, settings)]
        print(f"{name:42} {len(asked):>6} {len(fired):>6}")
        for question in fired if args.list else ():
            print(f"    {question}")


if __name__ == "__main__":
    main()
