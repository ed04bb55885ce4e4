"""Risk-language rules of signals-4 and -5 on small real model runs (MiniLM + the shipped heads).

Every sentence here was written for these tests (none comes from an eval data set): the
everyday look-alikes of risk language found on the everyday-distress dev proxy, the noun
"hopelessness", other people's words, and courtesy turns in a chat.
"""

from __future__ import annotations

import pytest

from pipelines.nlp import signals
from pipelines.nlp.embed import embed_texts
from pipelines.nlp.signals import text_signals


def _levels(texts):
    return text_signals(list(texts), embed_texts)["risk"].tolist()


# ------------------------------------------------------------------ everyday look-alikes

EVERYDAY = [
    "I'm thinking of cutting her off, she never calls back.",      # cutting someone off
    "Honestly I'm not cutting it at this job.",                     # not cutting it
    "I've been cutting my hours at the cafe to study.",             # cutting hours
    "I don't want to be here, but my wife made me book the session.",  # the session
    "I just want this semester to be over with.",                  # a task to get over with
    "I want it to be over so I can sleep.",                         # the week, the exam
    "I bought a gun last year to protect myself after the break-in.",  # protection
    "I got a gun for hunting season with my dad.",                  # sport
]


def test_everyday_look_alikes_of_risk_words_get_no_flag():
    out = text_signals(EVERYDAY, embed_texts)
    flagged = [(t, r, why) for t, r, why in zip(EVERYDAY, out["risk"], out["risk_reason"]) if r != "none"]
    assert not flagged


RISK_TWINS = [
    ("I've been cutting again and hiding it.", "urgent"),
    ("I keep cutting my arms when it gets bad.", "urgent"),
    ("I don't want to be here anymore.", "watch"),
    ("I just want it all to stop.", "watch"),
    ("I want everything to end.", "watch"),
    ("I bought a gun to kill myself.", "urgent"),
]


@pytest.mark.parametrize("text, level", RISK_TWINS)
def test_the_risk_twins_of_those_look_alikes_are_still_flagged(text, level):
    rank = {"none": 0, "watch": 1, "urgent": 2}
    got = _levels([text])[0]
    assert rank[got] >= rank[level], (text, got)


# ------------------------------------------------------------------ the noun "hopelessness"

@pytest.mark.parametrize("text", [
    "Lately I have constant feelings of hopelessness.",
    "The hopelessness is eating me alive.",
    "I am filled with hopelessness most mornings.",
    "My hopelessness is back since the layoff.",
])
def test_hopelessness_as_a_noun_is_watch(text):
    out = text_signals([text], embed_texts)
    assert out.loc[0, "risk"] != "none", text
    assert signals.risk_kind(out.loc[0, "risk_reason"]) == "hopelessness"


@pytest.mark.parametrize("text", [
    "My sister has feelings of hopelessness and I don't know how to help.",
    "He said my hopelessness was exhausting.",
    "The article was about hopelessness in teenagers.",
])
def test_someone_elses_hopelessness_is_not_the_clients(text):
    assert signals.risk_lexicon(text)[0] == "none", text


# ------------------------------------------------------------------ whose words

@pytest.mark.parametrize("text", [
    "My dad always said I was a burden.",
    "She told me I'm hopeless and should give up on art.",
    "My coach keeps telling me I'm hopeless at defending.",
])
def test_other_peoples_judgements_of_the_client_are_not_flagged(text):
    assert _levels([text]) == ["none"], text


def test_the_clients_own_words_after_someone_elses_are_flagged():
    assert _levels(["My dad always said I was a burden, and now I feel like a burden to everyone."]) != ["none"]


# ------------------------------------------------------------------ self-worth is not suicide language

@pytest.mark.parametrize("text", [
    "I feel worthless after that interview.",
    "I felt so worthless when they picked someone else.",
])
def test_worthlessness_alone_is_no_risk_flag(text):
    """A depressive self-judgement, not self-harm or suicide language (the contract's risk)."""
    assert _levels([text]) == ["none"], text


# ------------------------------------------------------------------ lacking the courage is no denial

@pytest.mark.parametrize("text, flagged", [
    ("I'm not brave enough to kill myself.", True),
    ("I don't have the guts to end it.", True),
    ("I would never kill myself.", False),
    ("I'm not going to kill myself.", False),
])
def test_lacking_courage_or_ability_does_not_negate_the_wish(text, flagged):
    """A missed C-SSRS Behavior user: "wasn't able to" read as a denial of the risk words."""
    assert (signals.risk_lexicon(text)[0] != "none") is flagged, text


# ------------------------------------------------------------------ signals-5: missed risk on C-SSRS

@pytest.mark.parametrize("text", [
    "I'm so glad I wasn't able to end my life that winter.",
    "Looking back, im relieved that i failed to kill myself.",
    "Honestly grateful I couldn't go through with it back then.",
])
def test_relief_at_having_survived_is_a_past_attempt(text):
    """Relief after a failed try: the negation ("wasn't able to") is the statement itself."""
    level, reason, _ = signals.risk_lexicon(text)
    assert (level, reason) == ("urgent", "past_attempt"), text


@pytest.mark.parametrize("text, level", [
    ("I'm glad I didn't kill myself back then.", "watch"),   # relief, no failed try: ideation
    ("I'm not glad I didn't kill myself.", "none"),          # ... its denial
    ("I'm glad I wasn't the only one who noticed.", "none"),  # everyday relief
    ("I'm glad I didn't go through with the purchase.", "none"),
])
def test_relief_without_a_failed_try(text, level):
    assert signals.risk_lexicon(text)[0] == level, text


@pytest.mark.parametrize("text, level", [
    ("When I was fifteen I tried to hang me in the shed.", "urgent"),  # a reflexive "me"
    ("My stepdad tried to kill me once.", "none"),                     # the writer, a victim
])
def test_a_reflexive_me_after_i_tried_to(text, level):
    assert signals.risk_lexicon(text)[0] == level, text


def _assert_risk(text: str, level: str, reason: str) -> None:
    """The lexicon gives ``text`` this level, and when it flags it, this reason."""
    got, why, _ = signals.risk_lexicon(text)
    assert got == level, text
    if level != "none":
        assert why == reason, text


@pytest.mark.parametrize("text, level", [
    ("Still pretty low, I might check myself in tomorrow.", "watch"),
    ("I admitted myself to the psych unit last spring.", "watch"),
    ("I checked myself into a hotel near the airport.", "none"),
    ("I need to check myself into rehab before the court date.", "none"),
])
def test_checking_oneself_in_is_a_voluntary_admission(text, level):
    _assert_risk(text, level, "psychiatric_hold")


def test_feeling_hopelessness_is_watch():
    level, reason, _ = signals.risk_lexicon("The whole spring I kept feeling dread and hopelessness.")
    assert (level, reason) == ("watch", "hopelessness")


def test_relief_beside_risk_language_makes_the_text_urgent():
    """ "glad I failed." alone is no flag; beside ideation it tells of an attempt (context)."""
    wish = "Some days I wish I could disappear forever."
    out = text_signals(["Glad I failed.", wish, wish + " Glad I failed, though."], embed_texts)
    assert out["risk"].tolist() == ["none", "watch", "urgent"]
    assert out.loc[2, "risk_reason"] == "past_attempt"


@pytest.mark.parametrize("text, level", [
    ("I had to call a suicide hotline at 3 am last year.", "watch"),
    ("I called the crisis line for my brother.", "none"),      # on someone else's behalf
    ("My friend called a suicide hotline.", "none"),           # someone else
])
def test_calling_a_crisis_line_oneself_is_watch(text, level):
    assert signals.risk_lexicon(text)[0] == level, text


@pytest.mark.parametrize("text, level", [
    ("I kept a pistol for years, but in a moment of clarity I sold it.", "watch"),
    ("I gave my pills to my sister so I wouldn't take them all.", "watch"),
    ("I sold my gun because I needed rent money.", "none"),
    ("I sold it in a moment of clarity.", "none"),
])
def test_means_given_up_for_ones_own_safety_is_watch(text, level):
    _assert_risk(text, level, "means")


@pytest.mark.parametrize("text", [
    "I'm trying to cut back on smoking before the wedding.",
    "It cuts me really deep when she talks like that.",
    "Attempting to explain my week to him felt useless.",
    "All I can do is hang on until payday.",
    "She's hopeless with money and I'm hopeless at chess.",
    "I feel hopeless about it, honestly.",
])
def test_everyday_look_alikes_of_signals_5_get_no_flag(text):
    """Found on the everyday-distress dev proxy: idioms with a risk word, and hopelessness
    about a skill, a person or a thing (the model may not raise them on the topic either)."""
    level, _, flags = signals.risk_lexicon(text)
    assert level == "none", text
    assert not flags["topic"], text  # the model may not raise it on its own either


@pytest.mark.parametrize("text", [
    "I feel hopeless about the future.",
    "After a year of a dark suicidal feeling I finally got help.",
    "I just wanna cut so bad tonight.",
])
def test_the_risk_twins_of_signals_5_look_alikes_still_count(text):
    level, _, flags = signals.risk_lexicon(text)
    assert level != "none" or (flags["topic"] and not flags["idiom"]), text
