"""Smoke test: the benchmark scripts run end to end on a tiny corpus and print their tables."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

TOPICS = ["terminal emulator", "image viewer", "music player", "text editor", "web browser", "mail client",
          "spell checker", "font renderer", "disk partitioner", "backup tool", "chess engine", "pdf reader"]


def tiny_corpus(path: Path) -> Path:
    """Twelve package-like records: synopsis, and a text that describes the same thing in more words."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i, topic in enumerate(TOPICS):
            record = {"id": f"pkg{i}", "synopsis": f"{topic} for the desktop",
                      "text": f"This package provides a {topic} for the desktop. The {topic} is small and fast."}
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.mark.slow
def test_the_scale_benchmark_prints_a_row_per_method_and_the_cold_start(tmp_path):
    corpus = tiny_corpus(tmp_path / "tiny.jsonl.gz")
    result = subprocess.run([sys.executable, "benchmarks/scale.py", "--corpus", str(corpus), "--sizes", "all",
                             "--queries", "8", "--methods", "bot,bm25s-scores,bm25s,tfidf"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("| 12 | factbot (full answer path) |") == 2  # per-size table and the summary
    assert "bm25s get_scores + argmax" in out and "bm25s retrieve(k=1)" in out and "TfidfVectorizer" in out
    assert "saved index (loads)" in out
    bot_row = next(line for line in out.splitlines() if "factbot" in line)
    assert bot_row.split("|")[7].strip() == "100.0%"  # each synopsis names its own package's topic


@pytest.mark.slow
def test_the_scale_benchmark_names_a_missing_corpus(tmp_path):
    result = subprocess.run([sys.executable, "benchmarks/scale.py", "--corpus", str(tmp_path / "none.gz"),
                             "--sizes", "10", "--no-cold"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "corpus not found" in result.stderr


@pytest.mark.slow
def test_the_stage_benchmark_splits_the_answer_path_and_times_bm25s_beside_it(tmp_path):
    result = _run_on_tiny_corpus(tmp_path, "stages.py", "--queries", "8", "--rounds", "2")
    rows = {line.split("|")[1].strip(): line.split("|")[2:4] for line in result.stdout.splitlines() if line.startswith("| ")}
    assert float(rows["first stage: search (scores, top k, hits)"][0]) > 0  # every question searched
    assert float(rows["reading (words, typos, expansions)"][0]) > 0
    whole = next(k for k in rows if k.startswith("**whole answer**"))
    assert sum(map(int, whole.split("(")[1].split(" questions")[0].split(" / "))) == 16  # 8 queries, 2 rounds
    assert "bm25s get_scores + argmax" in result.stdout


@pytest.mark.slow
def test_the_seed_benchmark_prints_latency_build_and_cold_start():
    result = subprocess.run([sys.executable, "benchmarks/seed.py", "--repeat", "1", "--cold-runs", "1"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "answer one question (in process, full path)" in result.stdout
    assert "saved index" in result.stdout and "Memory of this running bot" in result.stdout


def squad_file(path: Path) -> Path:
    """Two tiny articles in SQuAD 2.0's own format: literal questions, one unanswerable, one over-long sentence."""
    long_sentence = ("The keepers wrote down the weather, the state of the sea, the ships that passed the rock, "
                     "the oil that the great lamp burned every night, the hours that the fog bell rang, "
                     "the visitors who landed, the repairs that the masons made to the stone courses, the birds "
                     "that struck the lantern glass on stormy nights, the supplies that were short and the letters "
                     "that were sent ashore, so that the engineers in Edinburgh could follow, week by week and "
                     "season by season, everything that happened at the light and on the rock around it.")
    assert len(long_sentence) > 500  # the import refuses it: the benchmark must break it as a maintainer would

    def qa(qid: str, question: str, answer: str | None, plausible: str = "") -> dict:
        if answer is None:
            return {"id": qid, "question": question, "answers": [], "is_impossible": True,
                    "plausible_answers": [{"text": plausible, "answer_start": 0}]}
        return {"id": qid, "question": question, "answers": [{"text": answer, "answer_start": 0}],
                "is_impossible": False}

    data = {"version": "v2.0", "data": [
        {"title": "Bell_Rock_Lighthouse", "paragraphs": [
            {"context": "The Bell Rock Lighthouse stands off the coast of Angus in Scotland. It was built between "
                        "1807 and 1810 by the engineer Robert Stevenson.",
             "qas": [qa("l1", "Which engineer built it between 1807 and 1810?", "Robert Stevenson"),
                     qa("l2", "Off the coast of which area does the Bell Rock Lighthouse stand?", "Angus"),
                     qa("l3", "Who painted the Bell Rock Lighthouse?", None, "Robert Stevenson")]},
            {"context": "Supplies reached the lighthouse keepers by boat from the harbour of Arbroath. " + long_sentence,
             "qas": [qa("l4", "From which harbour did supplies reach the lighthouse keepers?", "Arbroath")]}]},
        {"title": "Mount_Etna", "paragraphs": [
            {"context": "Mount Etna is an active volcano on the island of Sicily. Etna erupted violently in 1669, "
                        "destroying villages near Catania.",
             "qas": [qa("e1", "On which island is the volcano Mount Etna?", "Sicily"),
                     qa("e2", "When did Etna erupt violently?", "1669")]}]},
    ]}
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(data, handle)
    return path


@pytest.mark.slow
def test_squad_benchmark_smoke(tmp_path):
    corpus = squad_file(tmp_path / "squad.json.gz")
    figures = tmp_path / "figures.json"
    result = subprocess.run([sys.executable, "benchmarks/squad.py", "--corpus", str(corpus), "--articles", "1",
                             "--json", str(figures)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    header = "| balanced | answerable right | foreign declined | adversarial declined | top-1 |"
    assert out.count(header) == 2  # the per-article table and the total
    rows = [line for line in out.splitlines() if line.startswith("| Bell_Rock_Lighthouse |")]
    assert [row.split("|")[2].strip() for row in rows] == ["bot", "bm25s", "tfidf"]
    assert not any("Mount_Etna" in line for line in out.splitlines() if line.startswith("|"))  # only the one asked for
    total = out[out.index("Total"):].splitlines()
    assert [line.split("|")[1].strip().split()[0] for line in total if line.startswith("| ") and "%" in line] == \
        ["factbot", "bm25s", "sklearn"]
    for row in rows:
        cells = [cell.strip() for cell in row.split("|")[3:8]]
        assert all(cell.endswith("%") and 0 <= float(cell[:-1]) <= 100 for cell in cells), row
    data = json.loads(figures.read_text())
    assert list(data["articles"]) == ["Bell_Rock_Lighthouse"]
    for system in ("bot", "bm25s", "tfidf"):
        figure = data["total"][system]
        assert figure["counts"] == {"answerable": 3, "adversarial": 1, "foreign": 2}  # foreign: the other article's
        assert figure["top1"] == 100.0  # every question repeats its sentence's words: each system finds it
        assert figure["balanced"] == (figure["answerable_right"] + figure["foreign_declined"]) / 2
    assert "cut at a clause by the splitter" in out and "Bell_Rock_Lighthouse 2" in out


@pytest.mark.slow
def test_squad_benchmark_names_a_missing_corpus(tmp_path):
    result = subprocess.run([sys.executable, "benchmarks/squad.py", "--corpus", str(tmp_path / "none.json.gz")],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "corpus not found" in result.stderr


@pytest.mark.slow
def _realdocs(tmp_path, *args: str):
    """Run benchmarks/realdocs.py without the Mongolia set; its output and the figures it wrote as JSON."""
    figures = tmp_path / "realdocs.json"
    result = subprocess.run([sys.executable, "benchmarks/realdocs.py", *args, "--no-mongolia", "--json", str(figures)],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result, json.loads(figures.read_text())


def test_realdocs_benchmark_smoke(tmp_path):
    result, data = _realdocs(tmp_path, "--documents", "valgrind")
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| document | format | passages |")
    assert [row.split("|")[1].strip() for row in rows[2:]] == ["valgrind"]  # only the document asked for
    cells = [cell.strip() for cell in rows[2].split("|")[1:-1]]
    assert cells[1] == "HTML" and int(cells[2]) > 0 and cells[9] == "20" and 0 <= int(cells[8]) <= 17
    for cell in cells[4:6]:
        assert cell.endswith("%") and 0 <= float(cell[:-1]) <= 100, rows[2]
    assert "bm25s (English stemmer and stop words) answers when its best score is above" in result.stdout
    assert "Mongolia" not in result.stdout
    questions = data["documents"][0]["questions"]
    assert len(questions) == 20 and sum(not q["found"] for q in questions) == 3  # the set's out-of-scope questions
    assert data["documents"][0]["passages"] == int(cells[2])


@pytest.mark.slow
def test_realdocs_benchmark_runs_the_tuning_documents_and_never_the_held_out_ones(tmp_path):
    result, data = _realdocs(tmp_path, "--tuning", "--failures")
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")][:13]  # then the categories' table
    assert [row.split("|")[1].strip() for row in rows[2:]] == ["libxml2", "users-and-groups", "gzip", "gzip-rendered",
                                                                "gcc-bugs", "find", "mime-spec", "zstd",
                                                                "rootless-builds", "file", "zlib-how"]
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert int(cells[2]) > 0 and cells[9] == "20" and 0 <= float(cells[4][:-1]) <= 100, row
    assert "Questions factbot got wrong:" in result.stdout
    categories = [line.split("|")[1:3] for line in result.stdout.splitlines() if line.startswith("| ")
                  and line.split("|")[1].strip() in ("plain", "reworded", "unanswerable")]
    assert [(c.strip(), int(n)) for c, n in categories] == [("plain", 110), ("reworded", 77), ("unanswerable", 33)]
    assert all(sum(not q["found"] for q in d["questions"]) == 3 for d in data["documents"])
    held_out = subprocess.run([sys.executable, "benchmarks/realdocs.py", "--tuning", "--documents", "valgrind"],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
    assert held_out.returncode == 2 and "none of valgrind is a tuning document" in held_out.stderr


@pytest.mark.slow
def test_realdocs_together_imports_the_documents_into_one_base_and_asks_every_question_of_it(tmp_path):
    result, data = _realdocs(tmp_path, "--tuning", "--together", "--documents", "libxml2", "find", "--failures")
    table = result.stdout.split("into ONE knowledge base")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| document | passages (own base; one base: all) | factbot, own base | factbot, one base |")
    assert [row.split("|")[1].strip() for row in rows[2:]] == ["libxml2", "find", "all",
                                                                "named subject (eval/tuning-together.yaml)"]
    own = {d["name"]: d["passages"] for d in data["documents"]}
    assert rows[4].split("|")[2].strip() == str(own["libxml2"] + own["find"])  # one base holds both documents' passages
    assert rows[4].split("|")[3].strip().startswith(f"{sum(q['bot_right'] for d in data['documents'] for q in d['questions'])} of 40")
    together = {d["name"]: d["questions"] for d in data["together"]}
    assert len(together["libxml2"]) == len(together["find"]) == 20
    assert {q["document"] for q in together["named subject"]} == {"libxml2", "find"}  # only the documents run
    named = {q["question"]: q["bot_right"] for q in together["named subject"]}
    assert named["How can I run the libxml2 test suite?"]  # not findutils' test suite: the question names libxml2
    assert "Questions factbot got wrong in the one base:" in result.stdout


@pytest.mark.slow
def test_the_entries_benchmark_asks_a_tuning_document_what_its_terms_do():
    result = subprocess.run([sys.executable, "benchmarks/entries.py", "--documents", "libxml2", "--failures",
                             "--together"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| document | generated questions | answered | by X's entry |")
    assert rows[0].rstrip().endswith("| subject right |")
    cells = [cell.strip() for cell in rows[2].split("|")[1:-1]]
    assert cells[0] == "libxml2" and int(cells[1]) > 0 and cells[4] == "2 / 2" and cells[5] == "2 / 2"
    assert cells[6] == "1 / 1"  # "What is libxml2?": its README's first paragraph (described.py)
    assert "Subject questions in one base of every document: 1 of 1" in result.stdout
    assert "Answered otherwise:" in result.stdout


@pytest.mark.slow
def test_realdocs_benchmark_reports_a_document_the_import_refuses(tmp_path):
    from benchmarks.realdocs import Document, Run, build, row

    junk = tmp_path / "notes.data"  # an ending no splitter reads: the import refuses it, whatever splitter is merged
    junk.write_bytes(b"\x00\x01 not a document \xff")
    document = Document("junk", "binary", str(junk), "eval/realdocs-valgrind.yaml")
    knowledge, failed = build(document, tmp_path / "kb", None)
    assert knowledge is None
    assert failed.startswith("kb import failed: Error:") and "notes.data" in failed
    assert row(Run(document, failed=failed), 0.0)[:3] == ["junk", "binary", "import failed"]


@pytest.mark.slow
def test_the_growth_benchmark_answers_by_description_from_sentence_passages(tmp_path):
    result = _run_on_tiny_corpus(tmp_path, "growth.py", "--sizes", "all", "--queries", "8")
    rows = [line for line in result.stdout.splitlines() if line.startswith("| 24 |")]  # two sentences a package
    assert len(rows) == 4 and any("factbot" in r for r in rows) and any("bm25s" in r for r in rows)
    bot_row = next(r for r in rows if "factbot" in r)
    assert bot_row.split("|")[8].strip() == "100.0%"  # each synopsis names its own package's topic
    assert float(bot_row.split("|")[5]) >= 0 and next(r for r in rows if "bm25s" in r).split("|")[5].strip() == "0.00"


@pytest.mark.slow
def test_the_jsonl_benchmark_prints_the_gap_between_answer_lines(tmp_path):
    result = _run_on_tiny_corpus(tmp_path, "jsonl_gap.py", "--questions", "8", "--rounds", "1")
    gap = next(line for line in result.stdout.splitlines() if "gap between answer lines" in line)
    assert gap.split("|")[3].strip() == "7"  # eight lines, seven gaps between them
    assert "Answerer.answer() in process" in result.stdout


@pytest.mark.slow
def test_the_jsonl_benchmark_times_a_revision_beside_the_working_tree_and_checks_the_log(tmp_path):
    result = _run_on_tiny_corpus(tmp_path, "jsonl_gap.py", "--questions", "8", "--rounds", "2", "--old", "HEAD",
                                 "--log")
    rows = [line for line in result.stdout.splitlines() if "gap between answer lines" in line]
    assert [r.split("|")[2].strip() for r in rows] == ["ask --jsonl, logged: gap between answer lines (HEAD)",
                                                       "ask --jsonl, logged: gap between answer lines (working tree)"]
    assert all(r.split("|")[3].strip() == "14" for r in rows)  # two rounds of seven gaps; each log held all 8


@pytest.mark.slow
def test_the_jsonl_benchmark_paced_times_each_answer_sent_after_the_last(tmp_path):
    result = _run_on_tiny_corpus(tmp_path, "jsonl_gap.py", "--questions", "8", "--rounds", "1", "--pause", "1")
    row = next(line for line in result.stdout.splitlines() if "answer time, sent 1 ms after the last" in line)
    assert row.split("|")[3].strip() == "7"  # the first answer is not timed, as the first gap


def _run_on_tiny_corpus(tmp_path, script: str, *args: str) -> subprocess.CompletedProcess:
    """A benchmark script run on the tiny corpus; it must succeed."""
    corpus = tiny_corpus(tmp_path / "tiny.jsonl.gz")
    result = subprocess.run([sys.executable, f"benchmarks/{script}", "--corpus", str(corpus), *args], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_the_build_benchmark_times_the_bot_bm25s_and_an_earlier_build_and_checks_they_match(tmp_path):
    corpus = tiny_corpus(tmp_path / "tiny.jsonl.gz")
    result = subprocess.run([sys.executable, "benchmarks/build.py", "--corpus", str(corpus), "--rounds", "2",
                             "--against", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "the build is identical to the one at HEAD" in result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("| bot") or line.startswith("| bm25s")]
    assert [row.split("|")[1].strip() for row in rows] == ["bot", "bm25s", "bot at HEAD"]


@pytest.mark.slow
def test_the_semantic_experiment_reads_the_bundled_vectors_offline_and_times_them(tmp_path):
    pytest.importorskip("wordllama")  # a bench extra, not a product dependency
    corpus = tiny_corpus(tmp_path / "tiny.jsonl.gz")
    code = ("import sys\n"
            "from benchmarks.semantic_experiment import Embedder, columns\n"
            "from bot.core.rerank import Candidate\n"
            "e = Embedder()\n"
            "q = 'How old is the universe?'\n"
            "v = e.embed([q, 'The cosmos formed 13.8 billion years ago.', 'Cats like to sleep in the sun.'])\n"
            "print(float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.1)\n"
            "x = columns(e, q, [Candidate('Cats like to sleep in the sun.', 1.0), Candidate('The cosmos formed 13.8 billion years ago.', 0.5)])\n"
            "print(x[1, 0] > x[0, 0], x[1, 2] == 0.0)\n"
            "print([m for m in sys.modules if m.startswith('wordllama')])\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True", "True True", "[]"]  # wordllama's own (downloading) loader never runs
    result = subprocess.run([sys.executable, "benchmarks/semantic_experiment.py", "--cost", str(corpus)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "semantic columns per question: median" in result.stdout


@pytest.mark.slow
def test_the_trainer_writes_the_shipped_model_with_a_feature_weighing_nothing(tmp_path):
    """--neutral reads no data and refits nothing: only the named feature's weights change, in both models."""
    from bot.core.rerank import Model, shipped_model

    out = tmp_path / "model.json"
    result = subprocess.run([sys.executable, "benchmarks/train_rerank.py", "--neutral", "proximity", "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    written, shipped = Model.load(out), shipped_model()
    for new, old in ((written.ranker, shipped.ranker), (written.confidence, shipped.confidence)):
        at = new.names.index("proximity")
        assert new.weights[at] == 0.0 and old.weights[at] != 0.0
        others = [i for i in range(len(new.names)) if i != at]
        assert list(new.weights[others]) == list(old.weights[others]) and new.bias == old.bias
    assert "proximity" in written.info["neutral"] and written.threshold == shipped.threshold
    refused = subprocess.run([sys.executable, "benchmarks/train_rerank.py", "--neutral", "nonsense", "--out", str(out)],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "no feature nonsense" in refused.stderr


def _folder_corpus(path: Path) -> Path:
    """Records where 'folder' and 'directory' are used in the same contexts, and music words in others."""
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(60):
            place = ("folder", "directory")[i % 2]
            text = (f"Copies every file of a {place} recursively and keeps the {place} permissions. "
                    f"Plays music tracks through speakers with a graphical equaliser number {i % 7}.")
            handle.write(json.dumps({"id": f"pkg{i}", "synopsis": f"{place} copier", "text": text}) + "\n")
    return path


@pytest.mark.slow
def test_the_distributional_thesaurus_links_words_used_alike_and_the_experiment_keeps_the_knowledge_s(tmp_path):
    """distsim_build.py writes each stem's neighbours by context; the experiment's look-up adds only neighbours the
    knowledge holds, down to the floor."""
    sys.path.insert(0, str(REPO))
    from benchmarks.distsim_experiment import similar_words, table

    out = tmp_path / "similar.txt.gz"
    result = subprocess.run([sys.executable, "benchmarks/distsim_build.py", "--corpus",
                             str(_folder_corpus(tmp_path / "c.jsonl.gz")), "--min-count", "2", "--dim", "4",
                             "--k", "3", "--keep-floor", "0", "--out", str(out), "--show", "folder"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("folder (folder, 90): directori 1.00")  # its nearest word
    lines = table(out)
    assert lines["folder"].split(" ")[0] == "directory" and lines["directori"].split(" ")[0] == "folder"
    assert similar_words("folders", {"directori": 1, "music": 1}, 0.5, 3, lines) == ("directory",)
    assert similar_words("folder", {"music": 1}, 0.5, 3, lines) == ()  # a neighbour the knowledge lacks: nothing
    assert similar_words("folder", {"directori": 1}, 1.01, 3, lines) == ()  # under the floor: nothing


def test_the_feedback_experiment_lends_the_best_passages_heaviest_new_terms_at_rocchio_s_weight():
    """prf_experiment.py: the best passages' terms the question lacks, weighed by the passages' scores, heaviest first;
    a term must be in --min-docs of them; each joins the query with the normalised component beta * c(t)."""
    sys.path.insert(0, str(REPO))
    from benchmarks.prf_experiment import Feedback, expanded_weights, feedback_terms
    from bot.core.index import TfidfIndex
    from bot.core.index_build import SCORING
    from bot.core.query import weigh
    from bot.core.reading import Reader
    from bot.core.expand import Expander
    from bot.core.settings import AnswerSettings
    from bot.kb.model import Passage

    passages = [Passage("a", "The gzip program compresses files; the fast level trades size for speed."),
                Passage("b", "The gzip program decompresses files with speed."),
                Passage("c", "A chess engine plays chess.")]
    index = TfidfIndex.build(passages, SCORING["tfidf"])
    settings = AnswerSettings()
    query = weigh(Reader(index.vocabulary, index.word_counts, Expander({}, {}), settings).read("gzip program"),
                  index, settings)
    matches = index.rank(query.weights, query.norm_terms, 3, query.own, query.groups, 2, query.known_share)
    assert [m.position for m in matches] == [1, 0]  # the shorter passage first; the chess one holds no question word
    chosen = feedback_terms(index, passages, query.weights, matches, Feedback(docs=2, terms=3))
    terms = [t for t, _ in chosen]
    assert "gzip" not in terms and "program" not in terms and "chess" not in terms
    assert set(terms[:2]) == {"file", "speed"} and len(terms) == 3  # in both passages: the heaviest
    assert {t for t, _ in feedback_terms(index, passages, query.weights, matches, Feedback(docs=2, min_docs=2))} == \
        {"file", "speed"}  # only what both passages hold ('decompresses' and 'compresses' stem apart)
    (term, c), = chosen[:1]
    weights = expanded_weights(index, query, chosen[:1], 0.5)
    component = weights[term] * index.query_factor(term) / index.query_norm(query.norm_terms)
    assert component == pytest.approx(0.5 * c) and weights["gzip"] == 1.0 and len(weights) == len(query.weights) + 1


def test_the_window_experiment_lifts_a_passage_by_its_neighbours_in_its_own_section_only():
    """window_experiment.py: t(d) = s(d) + lam * the best (or mean) neighbour's s within reach, in d's section; a passage
    the first stage did not match stays at 0."""
    sys.path.insert(0, str(REPO))
    from benchmarks.window_experiment import window_scores

    scores, sections = [0.5, 0.2, 0.0, 0.4, 0.1], ["a", "a", "a", "b", "b"]
    assert window_scores(scores, sections, 0.5) == pytest.approx([0.6, 0.45, 0.0, 0.45, 0.3])  # 0.4 is b's: not a's
    assert window_scores(scores, sections, 0.5, reach=2, agg="mean") == pytest.approx([0.525, 0.2625, 0.0, 0.4125, 0.15])
    assert window_scores(scores, sections, 0.0) == scores
