"""Per-text signals: risk scoping, aggregation, ranges, sentence splitting (real MiniLM model)."""

from __future__ import annotations

import numpy as np
import pytest

from pipelines.nlp import signals
from pipelines.nlp.embed import embed_texts
from pipelines.nlp.sentences import split_sentences
from pipelines.nlp.signals import EMOTIONS, TEXT_COLUMNS, sentence_signals, text_signals

BENIGN = (
    "Work was long today and the printer jammed twice before lunch. "
    "I made soup for dinner and called my sister about the weekend. "
    "The bus was late again so I listened to a podcast on the way home. "
    "My review got moved to Thursday, which is fine I guess. "
    "I watered the plants and folded the laundry before bed."
)
PLANTED = "I've saved up my pills and I'm going to take them all tonight."


def _levels(texts):
    return text_signals(texts, embed_texts)["risk"].tolist()


def test_planted_urgent_sentence_is_not_diluted():
    text = BENIGN + " " + PLANTED + " Anyway, the soup was good."
    out = text_signals([text, BENIGN], embed_texts)
    assert out.loc[0, "risk"] == "urgent"
    assert out.loc[0, "evidence"] == PLANTED
    assert signals.risk_kind(out.loc[0, "risk_reason"]) in {"intent", "plan", "means"}
    assert out.loc[1, "risk"] == "none"


@pytest.mark.parametrize("text, reason", [
    ("I tried to kill myself two years ago.", "past_attempt"),
    ("im gonna kill myself", "intent"),
    ("I have a plan for how I'd end my life.", "plan"),
    ("I cut myself again last night", "self_harm"),
])
def test_urgent_statements(text, reason):
    out = text_signals([text], embed_texts)
    assert out.loc[0, "risk"] == "urgent"
    assert out.loc[0, "risk_reason"] == reason


def test_passive_ideation_is_at_least_watch():
    texts = ["I don't want to be here anymore.", "Honestly everyone would be better off without me.",
             "some days i wish i just wouldn't wake up"]
    assert all(level in ("watch", "urgent") for level in _levels(texts))


def test_negated_third_person_and_idioms_are_not_urgent():
    texts = [
        "I would never kill myself, I have my daughter to think about.",
        "I'm not going to hurt myself, I just needed to say how tired I am.",
        "My friend tried to kill herself last year and I think about her a lot.",
        "My cousin told me he wants to die.",
        "This commute is killing me.",
        "I nearly died laughing at the meeting.",
        "I'd kill for a coffee right now.",
    ]
    levels = _levels(texts)
    assert "urgent" not in levels, list(zip(texts, levels))
    assert levels[4:] == ["none", "none", "none"]


def test_stress_insight_and_valence_order():
    out = text_signals([
        "I'm completely overwhelmed, my chest is tight, I can't sleep and the deadline is tomorrow.",
        "Had a slow, quiet morning with tea and a walk in the park. Feeling rested.",
        "I think I realize it isn't the review, it's that I expect to be criticized like my dad used to.",
        "I had a review at work today and then went home.",
    ], embed_texts)
    assert out.loc[0, "stress"] > out.loc[1, "stress"]
    assert out.loc[2, "insight"] > out.loc[3, "insight"]
    assert out.loc[1, "valence"] > out.loc[0, "valence"]


def test_output_columns_types_and_ranges():
    texts = ["Thank you so much, that really helped!", "", "I'm furious at my landlord.", "ok"]
    out = text_signals(texts, embed_texts)
    assert list(out.columns) == TEXT_COLUMNS
    assert len(out) == len(texts)
    assert out["valence"].between(-1, 1).all()
    assert out["stress"].between(0, 1).all() and out["insight"].between(0, 1).all()
    assert set(out["emotion"]) <= set(EMOTIONS)
    assert set(out["risk"]) <= {"none", "watch", "urgent"}
    assert out.loc[1, "risk"] == "none" and out.loc[1, "evidence"] == ""
    assert out.loc[0, "emotion"] == "neutral"  # a courtesy turn
    assert out.loc[2, "emotion"] == "anger"
    sents = ["I feel calm today.", "I'm scared of the results."]
    sig = sentence_signals(sents, embed_texts(sents))
    assert list(sig.columns) == ["valence", "emotion", "stress", "insight", "risk", "risk_reason"]
    assert sig["valence"].dtype == float and len(sig) == 2
    assert text_signals([], embed_texts).columns.tolist() == TEXT_COLUMNS


def test_each_distinct_sentence_embedded_once():
    seen: list[str] = []

    def embed(texts):
        seen.extend(texts)
        return embed_texts(texts)

    text_signals(["Same line. Same line.", "Same line."], embed)
    assert seen == ["Same line."]


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("   \n ", []),
    ("Dr. Lee moved my appt. to 3.5 p.m. Then I left.",
     ["Dr. Lee moved my appt. to 3.5 p.m.", "Then I left."]),
    ("wait... what?? ok", ["wait...", "what??", "ok"]),
    ("first line\nsecond line", ["first line", "second line"]),
    ("so tired 😩 work was awful 😭 home now", ["so tired 😩", "work was awful 😭", "home now"]),
    ("no punctuation at all just typing", ["no punctuation at all just typing"]),
    ("It ended there.Then I slept", ["It ended there.", "Then I slept"]),
])
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_split_long_run_on():
    text = ", ".join(["I went to the shop and back again"] * 40)
    parts = split_sentences(text)
    assert len(parts) > 1 and all(0 < len(p) <= 300 for p in parts)
    assert "".join(parts).replace(" ", "").replace(",", "") == text.replace(" ", "").replace(",", "")


# ------------------------------------------------------------------ risk rules (own sentences)

@pytest.mark.parametrize("text", [
    "Back in college I swallowed a whole bottle of sleeping pills.",
    "I overdosed on my prescription two winters ago.",
    "Last year I ended up in the ER after taking way too many painkillers.",
    "I tried hanging myself when I was seventeen.",
    "I survived an overdose the year my dad left.",
    "I was put on a psych hold after I tried to kill myself.",
])
def test_past_attempt_is_urgent(text):
    out = text_signals([text], embed_texts)
    assert out.loc[0, "risk"] == "urgent", text
    reason = out.loc[0, "risk_reason"]
    assert signals.risk_kind(reason) in {"past_attempt", "psychiatric_hold"} or reason.startswith("model:"), reason


@pytest.mark.parametrize("text", [
    "I've been stockpiling my pills in a shoebox under the bed.",
    "I have the tablets saved for when it gets too much.",
    "I keep driving to the bridge after work and thinking about jumping.",
    "I know exactly how I'm going to do it.",
    "I loaded my dad's rifle last night and sat with it in my lap.",
    "I'm going to end it tonight.",
    "I'm scared I'll act on it this weekend.",
])
def test_plan_means_and_intent_are_urgent(text):
    out = text_signals([text], embed_texts)
    assert out.loc[0, "risk"] == "urgent", text
    reason = out.loc[0, "risk_reason"]
    assert signals.risk_kind(reason) in {"plan", "means", "intent"} or reason.startswith("model:"), reason


@pytest.mark.parametrize("text", [
    "I don't want to be here anymore.",
    "Lately I just wish I could go to sleep and never wake up.",
    "I wanted to die for most of last year.",
    "There's nothing left for me to live for.",
])
def test_passive_ideation_is_watch(text):
    assert _levels([text])[0] in ("watch", "urgent"), text


@pytest.mark.parametrize("text", [
    "I would never take a bunch of pills, I know what it did to my family.",
    "I never tried to kill myself, even at my lowest.",
    "I have never overdosed and I'm not planning to.",
    "My roommate swallowed a handful of pills last spring and ended up in the ER.",
    "She overdosed twice in high school and I still worry about her.",
    "My uncle has the pills saved up, the doctor says he is hoarding them.",
    "Have you ever tried to kill yourself?",
    "I'm not going to jump off the bridge, I promise.",
])
def test_negated_and_third_person_attempts_are_not_urgent(text):
    assert _levels([text])[0] != "urgent", text


@pytest.mark.parametrize("text", [
    "I took a bunch of photos from the bridge on our walk.",
    "I took all my meds this morning like the doctor said.",
    "I ended up in the hospital after spraining my wrist.",
    "I've attempted to talk to her about it twice.",
    "My plan is to finish the report by Friday.",
    "I keep my pills in the kitchen cupboard.",
])
def test_everyday_look_alikes_are_not_urgent(text):
    assert _levels([text])[0] != "urgent", text


def test_ambiguous_means_or_attempt_needs_risk_context():
    alone = ["I have a rope in the garage.", "I've tried twice before.",
             "I keep looking at the bridge."]
    ctx = "I don't want to be here anymore."
    levels = _levels(alone + [f"{s} {ctx}" for s in alone] + [f"I don't have any pills in the house. {ctx}",
                                                            f"My brother has a gun. {ctx}"])
    assert "urgent" not in levels[:3], levels
    assert levels[3:6] == ["urgent"] * 3, levels
    assert levels[6] != "urgent" and levels[7] != "urgent", levels


def test_an_urge_is_risk_language_only_when_it_is_an_urge_to_harm():
    from pipelines.nlp.signals import risk_lexicon

    assert risk_lexicon("client reported the urge to contact an ex-partner.")[0] == "none"
    assert risk_lexicon("i had the urge to cut again last night")[0] != "none"
    assert risk_lexicon("the urges are back tonight")[0] != "none"
    assert risk_lexicon("i have been saving up my tablets and i know how many it would take.")[0] == "urgent"
    assert risk_lexicon("i am saving up money for a trip")[0] == "none"


def test_summaries_passive_wishes_burden_and_means_laid_out():
    from pipelines.nlp.signals import risk_lexicon

    assert risk_lexicon("client expressed passive thoughts of not wanting to be here.")[0] == "watch"
    assert risk_lexicon("client disclosed a plan and access to means.")[0] == "urgent"
    assert risk_lexicon("i keep wishing i could fall asleep and never wake up")[0] == "watch"
    assert risk_lexicon("i slept and did not wake up until noon")[0] == "none"
    assert risk_lexicon("they would all be better off without me")[0] == "watch"
    assert risk_lexicon("the team would manage without me while i'm on holiday")[0] == "none"
    assert risk_lexicon("the pills are counted out in the drawer")[0] == "urgent"
    assert risk_lexicon("i sorted out my pills for the week in the pill organizer")[0] == "none"


def _sample_texts() -> dict[tuple[str, str], str]:
    import json

    from tests.conftest import SAMPLE

    texts = {}
    for path in (SAMPLE / "exports").rglob("*.json"):
        export = json.loads(path.read_text())
        for c in export.get("checkins", []):
            if c.get("note"):
                texts[("note", c["checkin_id"])] = c["note"]
        for v in export.get("conversations", []):
            if v.get("summary"):
                texts[("summary", v["conversation_id"])] = v["summary"]
            for m in v.get("messages", []):
                texts[("message", m["message_id"])] = m["text"]
    return texts


def test_every_planted_risk_text_in_the_sample_is_flagged_at_its_level():
    """The sample's ground truth: each planted risk statement (messages, notes, summaries)
    reaches its planted level; decoys ("I would never…", someone else's story) stay below urgent."""
    import pandas as pd

    from pipelines.nlp.embed import embed_texts
    from pipelines.nlp.signals import text_signals
    from tests.conftest import SAMPLE

    truth = pd.read_csv(SAMPLE / "ground_truth.csv", dtype=str).fillna("")
    texts = _sample_texts()
    planted = truth[truth["risk"].isin(["watch", "urgent"])]
    decoys = truth[(truth["decoy"].str.lower() == "true") & ~truth["risk"].isin(["watch", "urgent"])]
    assert len(planted) >= 7
    sample = [texts[(r.source, r.source_id)] for r in planted.itertuples()]
    rank = {"none": 0, "watch": 1, "urgent": 2}
    got = text_signals(sample, embed_texts)["risk"].tolist()
    missed = [(r.source_id, r.risk, g) for r, g in zip(planted.itertuples(), got) if rank[g] < rank[r.risk]]
    assert not missed
    if len(decoys):
        decoy_risk = text_signals([texts[(r.source, r.source_id)] for r in decoys.itertuples()], embed_texts)["risk"]
        assert (decoy_risk != "urgent").all()


# ------------------------------------------------------------------ risk_reason vocabulary

def _is_valid_reason(level: str, reason: str) -> bool:
    if level == "none":
        return reason == ""
    if reason in (signals.MODEL_TOPIC, signals.MODEL_NO_TOPIC):
        return True
    kind, _, suffix = reason.partition("+")
    return kind in signals.RISK_KINDS and (suffix == "" or (suffix == "model" and level == "urgent"))


def test_risk_reason_vocabulary_is_closed():
    texts = [BENIGN, PLANTED, "I tried to kill myself two years ago.", "I don't want to be here anymore.",
             "I feel so alone and nobody would even notice.", "I keep thinking about the pills in the drawer.",
             "im gonna kill myself", "My job is killing me lol", "I have a rope. I want to die.",
             "I used to cut in high school.", "I feel hopeless about all of it."]
    out = text_signals(texts, embed_texts)
    for level, reason in zip(out["risk"], out["risk_reason"]):
        assert _is_valid_reason(level, reason), (level, reason)
        assert signals.risk_basis(reason) == ("" if level == "none" else
                                              "model" if reason.startswith("model:") else "phrase")


def test_risk_reason_says_phrase_or_model():
    """Phrase-backed flags name the phrase's kind; model-only flags start with 'model:'."""
    w = signals.load_weights()
    assert w is not None
    # a passive-ideation phrase: phrase-backed whatever the model says
    sig = sentence_signals(["I don't want to be here anymore."], embed_texts(["I don't want to be here anymore."]))
    assert signals.risk_kind(sig.loc[0, "risk_reason"]) == "passive_ideation"
    assert signals.risk_basis(sig.loc[0, "risk_reason"]) == "phrase"
    # a model that flags everything: first-person sentences without a phrase are model-only
    eager = dict(w)
    eager["risk_any_b"] = np.float32(30.0)
    eager["risk_urgent_b"] = np.float32(-30.0)
    sents = ["I feel so lonely tonight.", "I keep staring at the pills.", "The soup was good.",
             "My brother keeps staring at the pills."]
    sig = sentence_signals(sents, embed_texts(sents), weights=eager)
    # the model speaks only for the writer, and only on the risk topic
    assert sig["risk"].tolist() == ["none", "watch", "none", "none"]
    assert sig["risk_reason"].tolist() == ["", "model:topic", "", ""]
    # a watch phrase raised to urgent by the model keeps its kind
    urgent = dict(w)
    urgent["risk_urgent_b"] = np.float32(30.0)
    # (on the risk topic only: "I feel hopeless about everything." stays a phrase-backed watch)
    hopeless = ["I feel hopeless about everything.", "I feel hopeless and I keep thinking about dying."]
    sig = sentence_signals(hopeless, embed_texts(hopeless), weights=urgent)
    assert sig.loc[0, "risk"] == "watch" and sig.loc[0, "risk_reason"] == "hopelessness"
    assert sig.loc[1, "risk"] == "urgent" and sig.loc[1, "risk_reason"].endswith("+model")
    assert signals.risk_kind("hopelessness+model") == "hopelessness" and signals.risk_kind("model:topic") == ""


def test_text_reason_prefers_phrase_backed_sentence():
    """At the same level, the text's evidence and reason come from a phrase, not the model alone."""
    w = dict(signals.load_weights())
    w["risk_any_b"] = np.float32(30.0)   # the model flags every first-person sentence watch
    w["risk_urgent_b"] = np.float32(-30.0)
    text = "I feel so lonely tonight. Honestly everyone would be better off without me."
    out = text_signals([text], embed_texts, weights=w)
    assert out.loc[0, "risk"] == "watch"
    assert out.loc[0, "risk_reason"] == "ideation"  # "… would be better off without me"
    assert out.loc[0, "evidence"] == "Honestly everyone would be better off without me."


# ------------------------------------------------------------------ whose words, everyday distress

@pytest.mark.parametrize("text", [
    "He said I was worthless.",
    "My mom keeps telling me I'm a burden.",
    "She thinks I should just kill myself.",
    "My friend wants to die.",
    "My friend said she wants to die and I don't know what to do.",
    "Everyone says I'm hopeless at maths.",
])
def test_other_peoples_words_are_not_the_clients_risk(text):
    assert _levels([text]) == ["none"], text


def test_own_words_beside_reported_speech_are_still_flagged():
    levels = _levels(["He yelled at me and I felt hopeless.", "I told him I feel hopeless.",
                      "My dad says I tried to kill myself when I was twelve."])
    assert levels[0] != "none" and levels[1] != "none"
    assert levels[2] == "urgent"  # a reported act is still a fact about the client


EVERYDAY_DISTRESS = [
    "eat some zombie burger for me",
    "yes i was I ended up going alone",
    "I just want to start making a life for myself",
    "I feel so alone tonight.",
    "I miss her so much it hurts.",
    "Work has been awful and I cried in the car again.",
    "I don't know what to do anymore, nothing I try works out.",
    "I feel like such a failure after that interview.",
    "nobody ever texts me back",
    "I'm exhausted and I can't stop crying.",
]


def test_everyday_distress_gets_no_flag():
    out = text_signals(EVERYDAY_DISTRESS, embed_texts)
    flagged = [(t, r) for t, r in zip(EVERYDAY_DISTRESS, out["risk"]) if r != "none"]
    assert not flagged


def test_first_person_risk_is_still_urgent_beside_everyday_distress():
    texts = EVERYDAY_DISTRESS + ["I have been saving up my pills to end it.",
                                 "I want to kill myself tonight."]
    out = text_signals(texts, embed_texts)
    assert out["risk"].tolist()[-2:] == ["urgent", "urgent"]


# ------------------------------------------------------------------ courtesy turns and emotion

@pytest.mark.parametrize("text", ["ok", "Thank you so much!", "yes", "Okay, I will try that. Thanks!",
                                  "mm-hmm", "good night, thanks for listening"])
def test_courtesy_turns_are_neutral(text):
    assert signals.is_courtesy(text)
    assert text_signals([text], embed_texts).loc[0, "emotion"] == "neutral"


def test_courtesy_turns_do_not_dominate_a_chats_emotion():
    chat = ["hi", "Thank you.", "ok", "yes", "Thanks so much, that helps.", "okay",
            "I've been so sad since she left, I cry every night.",
            "I miss him so much and the house feels empty.",
            "thank you for listening"]
    out = text_signals(chat, embed_texts)
    assert signals.conversation_emotion(out["emotion"]) == "sadness", out["emotion"].tolist()
    assert not signals.is_courtesy("thanks but I still feel awful")


# ------------------------------------------------------------------ text aggregation and training

def test_one_sentence_texts_reuse_their_sentence_features():
    """A text's lexicon features are its joined sentences'; a one-sentence text reuses the
    sentence's row, which must be the same numbers as scanning the text again."""
    texts = ["I feel so stressed about the exam!", "I realize now why. It makes sense?", "ok"]
    per_text = [split_sentences(t) for t in texts]
    distinct = list(dict.fromkeys(s for ss in per_text for s in ss))
    feats, _ = signals.lexicon_features(distinct)
    got = signals._text_features(per_text, {s: i for i, s in enumerate(distinct)}, feats)
    want, _ = signals.lexicon_features([" ".join(ss) for ss in per_text])
    np.testing.assert_array_equal(got, want)


def test_text_signals_do_not_depend_on_the_other_texts():
    """Aggregation per text: a text scores the same alone and among others (same vectors)."""
    texts = [BENIGN + " " + PLANTED, "I have a rope in the garage. I don't want to be here anymore.",
             "Thank you.", "I'm furious at my landlord. I can't sleep and my chest is tight."]
    together = text_signals(texts, embed_texts)
    for i, t in enumerate(texts):
        alone = text_signals([t], embed_texts)
        for c in ("emotion", "risk", "risk_reason", "evidence"):
            assert alone.loc[0, c] == together.loc[i, c], (t, c)
        for c in ("valence", "stress", "insight"):
            assert abs(alone.loc[0, c] - together.loc[i, c]) < 1e-3, (t, c)


def test_whole_text_input_is_looked_up_only_when_the_weights_use_it():
    w = dict(signals.load_weights())
    assert not signals.uses_whole_text(w)
    seen: list[str] = []

    def embed(texts):
        seen.extend(texts)
        return embed_texts(texts)

    texts = ["Work was awful. I cried in the car.", "Just one line."]
    base = text_signals(texts, embed, weights=w)
    assert seen == ["Work was awful.", "I cried in the car.", "Just one line."]
    # the same heads, widened by zero weights for a whole-text block: same scores, and only
    # the multi-sentence text is looked up whole
    wide = dict(w, text_whole=np.array(True))
    for head in ("stress", "insight"):
        v = w[f"{head}_text_w"]
        wide[f"{head}_text_w"] = np.concatenate([v[:768], np.zeros(384, np.float32), v[768:]])
    seen.clear()
    out = text_signals(texts, embed, weights=wide)
    assert seen[-1:] == ["Work was awful. I cried in the car."]
    np.testing.assert_allclose(out["stress"], base["stress"], atol=1e-6)
    np.testing.assert_allclose(out["insight"], base["insight"], atol=1e-6)


def test_risk_threshold_search_keeps_watch_recall_first():
    """No grid point reaches the B+A ≥watch target: the search takes the most ≥watch recall
    (it used to rank on urgent alone and pick the highest watch threshold)."""
    from training.fit_signals import MAX_SUPPORTIVE_URGENT, threshold_key

    low = {"ba_watch": 0.95, "ba_urgent": 0.80, "Supportive": 0.04}
    high = {"ba_watch": 0.88, "ba_urgent": 0.80, "Supportive": 0.04}
    assert threshold_key(low, (0.2, 0.2, 0.8)) > threshold_key(high, (0.5, 0.2, 0.8))
    # over the Supportive budget loses whatever its recall
    over = {"ba_watch": 1.0, "ba_urgent": 1.0, "Supportive": MAX_SUPPORTIVE_URGENT + 0.01}
    assert threshold_key(high, (0.5, 0.2, 0.8)) > threshold_key(over, (0.1, 0.1, 0.35))
    # both at the target: more urgent recall wins, then the higher thresholds
    a = {"ba_watch": 0.99, "ba_urgent": 0.84, "Supportive": 0.04}
    b = {"ba_watch": 0.98, "ba_urgent": 0.80, "Supportive": 0.04}
    assert threshold_key(a, (0.2, 0.2, 0.8)) > threshold_key(b, (0.5, 0.2, 0.8))
    assert threshold_key(b, (0.5, 0.2, 0.8)) > threshold_key(b, (0.3, 0.2, 0.8))


@pytest.mark.parametrize("text, flagged", [
    ("I'll really fall and hurt myself, and this way, if I don't move around so much, there's less chance.", False),
    ("I slipped and hurt myself at work.", False),
    ("I accidentally cut myself chopping onions.", False),
    ("I hurt myself at the gym.", False),
    ("I fell and hurt myself on purpose.", True),
    ("I hurt myself again last night.", True),
])
def test_accidental_injury_is_not_self_harm(text, flagged):
    """An everyday-distress false alarm on the dev proxy ("fall and hurt myself": urgent)."""
    assert (signals.risk_lexicon(text)[0] != "none") is flagged, text


@pytest.mark.parametrize("text, flagged", [
    ("And I dont understand how killing myself is selfish or anything.", True),
    ("I don't understand why I want to kill myself.", True),
    ("I don't want to kill myself.", False),
    ("I dont understand people who kill themselves.", False),
])
def test_not_understanding_is_no_negation_of_the_risk(text, flagged):
    """A missed C-SSRS Behavior user: "don't understand" read as a negation of the risk words."""
    assert (signals.risk_lexicon(text)[0] != "none") is flagged, text
