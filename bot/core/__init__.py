"""The answer pipeline, one small module per stage, with frozen values between the stages:

    question text
      -> reading.py   Reading   words, spelling corrected, compounds split, synonyms and acronyms found
      -> query.py     Query     weighed index terms (own words, carried topic, expansions), known share
      -> hits.py      Hits      the index's ranking (index.py: every scoring formula, grouped rescoring)
      -> decision.py  Decision  answer-type fit, follow-up policy, coverage, confidence
      -> compose.py   Answer    text, citation, sources, suggestions, nearby sections, explanation

`pipeline.Answerer` runs the stages; `conversation.Conversation` adds session memory and the
question log around it; `settings.AnswerSettings` holds every number they decide with. Nothing
here prints, exits or talks to a network.
"""
