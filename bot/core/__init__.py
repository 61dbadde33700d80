"""The answer pipeline, one small module per stage, with frozen values between the stages:

    question text
      -> reading.py   Reading   content words, typos corrected, compounds split, synonyms and acronyms
      -> query.py     Query     each index term's weight (own words, carried topic, expansions), known share
      -> hits.py      Hits      the index's ranking, grouped rescoring included, then the second stage
                                (rerank.py: the top ten reordered, scored as probabilities of answering)
      -> decision.py  Decision  answer-type fit, follow-up policy, coverage, confidence
      -> compose.py   Answer    text, citation, source URL, suggestions, nearby sections, explanation

pipeline.Answerer runs the stages; conversation.Conversation wraps it with session memory
(context.py) and an injected question log; smalltalk.py answers greetings before any search.
index.py holds every scoring formula (index_build.py weighs passages, index_file.py saves them);
spelling, expand, phrasing and lexicon are what reading reads with; rerank_text, rerank_question and
rerank_features are what the second stage reads with (its model: rerank_model.json beside them); topics.py
says how compose offers a section's heading as a suggestion (or not at all);
settings.AnswerSettings holds every number the stages decide with, each with its reason. Nothing here prints, exits or uses a network.
"""
