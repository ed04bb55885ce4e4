"""Theme clustering on a small planted corpus, with the real embedding model (no network)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from pipelines.nlp import themes
from pipelines.nlp.embed import embed_texts

WORK = [
    "My boss moved the deadline up again and I have no idea how to finish the report.",
    "Work has been crushing me, three projects due on Friday.",
    "I stayed at the office until nine to finish the presentation for the client.",
    "My manager criticized my report in front of the whole team.",
    "I keep checking work email at midnight because I'm scared of missing something.",
    "The quarterly deadline at work is making me panic.",
    "My coworker dumped his project on me and my boss expects it done by Monday.",
    "I'm worried I'll lose my job if I miss another deadline.",
    "The performance review at work is next week and I dread it.",
    "My boss sends messages late at night expecting an immediate answer.",
    "There is too much work and not enough hours before the deadline.",
    "I got assigned another project at work even though I'm already behind.",
    "My team lead keeps adding tasks to my plate at the office.",
    "I cried in the office bathroom after the meeting with my manager.",
    "The workload at my job doubled since my colleague quit.",
    "I missed the project deadline and my manager was furious.",
    "Every Sunday evening I dread going back to work on Monday.",
    "My boss said my work was not good enough for a promotion.",
    "I answered work emails all weekend to keep up with deadlines.",
    "The client meeting at work went badly and my manager blamed me.",
]
SLEEP = [
    "I couldn't fall asleep until four in the morning again.",
    "I wake up at 3am every night and can't get back to sleep.",
    "My insomnia is getting worse, I slept maybe two hours.",
    "I lie in bed for hours staring at the ceiling unable to sleep.",
    "I'm exhausted all day because I barely slept last night.",
    "I tried melatonin but I still can't sleep through the night.",
    "Nightmares keep waking me up and then I'm awake till dawn.",
    "I've been sleeping only four hours a night this week.",
    "Even when I'm tired, my body won't let me fall asleep at bedtime.",
    "I napped during the afternoon and then couldn't sleep at night.",
    "My sleep schedule is a mess, I go to bed at 2am.",
    "I keep waking up in the middle of the night with my heart racing.",
    "The sleeping pills make me groggy in the morning.",
    "I haven't had a full night of sleep in weeks.",
    "I'm so sleep deprived I can barely keep my eyes open.",
    "Insomnia again, I was up all night tossing and turning.",
    "I dread bedtime because I know I won't be able to sleep.",
    "Falling asleep takes me hours every single night.",
    "I woke up at 4am and my mind wouldn't let me go back to sleep.",
    "I only slept three hours and feel like a zombie today.",
]
MOTHER = [
    "My mother called and criticized how I'm raising my kids.",
    "Mom and I had another huge fight about the holidays.",
    "My mother always compares me to my older sister.",
    "I feel guilty every time I don't answer my mom's calls.",
    "My mom said I'm ungrateful after everything she did for me.",
    "Visiting my parents ended in shouting again, my mother wouldn't listen.",
    "My mother still treats me like a child even though I'm thirty.",
    "Mom guilt-tripped me about not visiting her on Sunday.",
    "My mom criticized my weight at family dinner.",
    "I can't set boundaries with my mother without her crying.",
    "My mother and I haven't spoken since our argument at Christmas.",
    "Mom keeps bringing up my divorce in front of the family.",
    "My mom texted me a long angry message about my brother's wedding.",
    "I always end up apologizing to my mother even when she hurt me.",
    "My mom never says she's proud of me.",
    "My mother invited herself to stay with us for two weeks.",
    "Every conversation with my mom turns into an argument.",
    "My mother blames me for my parents' divorce.",
    "Mom told my relatives private things I told her in confidence.",
    "After talking to my mother I feel like a failure.",
]
FILLER = ["hi", "Thanks!", "ok", "okay thank you", "good night", "hey there", "lol ok",
          "see you tomorrow", "yeah", "thank you so much 🙏", "hello!", "ok sure"]
MONEY = [
    "I can't pay rent this month and my landlord is threatening eviction.",
    "My credit card debt keeps growing and I can't make the payments.",
    "I'm terrified to open my bank account, there's almost no money left.",
    "The bills are piling up and I don't know how to pay them.",
    "I had to borrow money from a friend to buy groceries.",
    "My car loan payment bounced and now there's a fee.",
    "I'm behind on rent and the utility bills.",
    "Money is so tight I skip meals to afford the electricity bill.",
    "The debt collectors keep calling me about my unpaid loan.",
    "I spent my savings and I'm scared I can't cover rent.",
    "I can't afford the payments on my student loans anymore.",
    "My paycheck disappears on bills and debt every month.",
]
MORE_WORK = ["My boss piled another deadline on me at work today.",
             "The project at work is overdue and my manager is angry."]
MORE_SLEEP = ["I was awake until 5am again, the insomnia is relentless.",
              "I can't sleep and spend the night scrolling my phone."]


def _corpus(extra: bool = False):
    texts, truth = [], []
    groups = [(WORK, 0), (SLEEP, 1), (MOTHER, 2), (FILLER, -1)]
    if extra:
        groups += [(MORE_WORK, 0), (MORE_SLEEP, 1), (MONEY, 3)]
    for sentences, label in groups:
        texts += sentences
        truth += [label] * len(sentences)
    # interleave deterministically, so order carries no information
    order = np.argsort([hash_key(t) for t in texts], kind="stable")
    return [texts[i] for i in order], np.array(truth)[order]


def hash_key(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def embedded():
    everything = WORK + SLEEP + MOTHER + FILLER + MONEY + MORE_WORK + MORE_SLEEP
    vectors = embed_texts(everything)
    return dict(zip(everything, vectors))


def _run(embedded, extra=False, previous=None):
    texts, truth = _corpus(extra)
    vectors = np.stack([embedded[t] for t in texts])
    result = themes.find_themes(texts, vectors, previous=previous, prefix="t-")
    return texts, truth, result


@pytest.fixture(scope="module")
def first(embedded):
    return _run(embedded)


def test_filler_detection():
    for text in FILLER + ["", "   ", "...", "👍", "ok.", "Thank you, see you next week!"]:
        assert themes.is_filler(text), text
    for text in WORK + SLEEP + MOTHER + MONEY + ["it keeps me up at night", "can't sleep",
                                                "I miss him", "no energy today"]:
        assert not themes.is_filler(text), text


def test_planted_themes_are_separate_clusters(first):
    texts, truth, result = first
    content = truth >= 0
    assert adjusted_rand_score(truth[content], result.labels[content]) >= 0.85
    assert len(result.keywords) == 3
    assert (result.labels[~content] == -1).all(), "filler must stay unassigned"
    assert np.mean(result.labels[content] >= 0) >= 0.9


def test_labels_keywords_quotes(first):
    texts, truth, result = first
    planted = {}
    for theme, words in result.keywords.items():
        members = truth[result.labels == theme]
        planted[theme] = np.bincount(members[members >= 0]).argmax()
        label = result.names[theme]
        assert 2 <= len(label.split()) <= 5, label
        assert len(words) >= 5
    # keywords are distinguishing: the top five never overlap and name the planted theme
    tops = [set(w for k in result.keywords[t][:5] for w in k.split()) for t in result.keywords]
    for i in range(len(tops)):
        for j in range(i + 1, len(tops)):
            assert not tops[i] & tops[j], (tops[i], tops[j])
    expected = {0: {"work", "boss", "deadline", "manager", "project", "office"},
                1: {"sleep", "night", "insomnia", "asleep", "slept", "bed"},
                2: {"mother", "mom", "family", "parents"}}
    for theme, top in zip(result.keywords, tops):
        assert top & expected[planted[theme]], (planted[theme], result.keywords[theme])
        assert set(result.names[theme].split()) & expected[planted[theme]], result.names[theme]
    for theme, quotes in result.quotes.items():
        assert len(quotes) == 3 and len(set(texts[i] for i in quotes)) == 3
        assert all(result.labels[i] == theme and not themes.is_filler(texts[i]) for i in quotes)


def test_stable_ids_and_new_theme(embedded, first):
    _, _, before = first
    previous = {before.ids[t]: before.centroids[t] for t in before.ids}
    texts, truth, after = _run(embedded, extra=True, previous=previous)
    content = truth >= 0
    assert adjusted_rand_score(truth[content], after.labels[content]) >= 0.85

    def by_planted(result, truth):
        out = {}
        for theme, theme_id in result.ids.items():
            members = truth[result.labels == theme]
            out[int(np.bincount(members[members >= 0]).argmax())] = theme_id
        return out

    old, new = by_planted(before, _corpus()[1]), by_planted(after, truth)
    for planted in (0, 1, 2):
        assert new[planted] == old[planted]
    assert new[3] not in previous and new[3].startswith("t-")


def test_stable_ids_unit():
    rng = np.random.default_rng(0)
    a, b, c = (v / np.linalg.norm(v) for v in rng.standard_normal((3, 384)))
    previous = {"x-1": a, "x-2": b}
    ids = themes.stable_theme_ids(previous, {0: b + 0.01, 1: c, 2: a}, prefix="x-")
    assert ids == {0: "x-2", 1: "x-3", 2: "x-1"}
    assert themes.stable_theme_ids({}, {0: a, 1: b}, prefix="x-") == {0: "x-1", 1: "x-2"}


def test_contextual_embeddings():
    rng = np.random.default_rng(1)
    e = rng.standard_normal((5, 384)).astype(np.float32)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    out = themes.contextual_embeddings(e, ["a", "a", "b", None, "a"], 0.5)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    assert np.allclose(out[2], e[2]) and np.allclose(out[3], e[3])  # alone / no group
    assert (out[0] @ out[1]) > (e[0] @ e[1])  # messages of one talk move together
    assert np.allclose(themes.contextual_embeddings(e, ["a"] * 5, 0.0), e)


def test_deterministic(embedded, first):
    texts, _, result = first
    _, _, again = _run(embedded)
    assert np.array_equal(result.labels, again.labels)
    assert result.keywords == again.keywords and result.names == again.names
    assert result.quotes == again.quotes and result.ids == again.ids


def test_large_set_is_sampled_and_assigned():
    rng = np.random.default_rng(2)
    centers = rng.standard_normal((4, 384))
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    truth = rng.integers(0, 4, 6000)
    points = centers[truth] + rng.standard_normal((6000, 384)) * 0.04
    labels = themes.cluster_themes(points.astype(np.float32), min_theme_size=50,
                                   max_cluster_points=1000)
    assert adjusted_rand_score(truth, labels) > 0.95


# ------------------------------------------------------------------ names in keywords / labels

def test_personal_names_by_capitalization_and_list():
    from pipelines.nlp import names

    texts = [
        "I had lunch with Orsolya and she asked about my new job.",
        "Told Orsolya about the job interview, she was kind.",
        "My mum called on Monday and asked about the job again.",  # allow-listed words
        "the job interview with brannock went badly",              # all lower case: no evidence
        "Grace period on the rent ends soon, the grace period is short.",  # a word, not a name
        "I think my Anxiety is getting worse at work.",            # a capitalized common word
    ]
    found = names.personal_names(texts)
    assert "orsolya" in found                      # capitalized mid-sentence
    assert {"mum", "monday", "i", "job", "grace", "anxiety"}.isdisjoint(found)
    assert "brannock" not in found                 # not a listed name, no evidence
    # listed first names count without evidence; lower case mid-sentence evidence wins
    assert "dana" in names.first_names() and "dana" in names.personal_names(["saw dana again today"])
    assert "dana" not in names.personal_names(["Saw dana again.", "And dana again, Dana said.",
                                               "I met dana there."])
    # a name that is also a word ("Lily"): a name only when capitalized and never lower case
    assert "lily" in names.word_names()
    assert "lily" in names.personal_names(["Lily laughed at the voices.", "bedtime with lily was hard"])
    assert "lily" not in names.personal_names(["I bought a white lily for the table."])


def test_keywords_and_labels_never_name_people():
    """Names that dominate a theme ("dana and breakup") are left out of keywords and labels."""
    breakup = [f"{text} {i}" for i, text in enumerate([
        "I keep thinking about Dana since the breakup.",
        "Dana texted me again and the breakup feels fresh.",
        "dana posted photos with someone new, the breakup hurts",
        "Saw Dana at the cafe and my heart sank after the breakup.",
        "I miss Dana and I hate how the breakup ended.",
        "The breakup with Dana still keeps me awake.",
    ] * 3)]
    work = [f"{text} {i}" for i, text in enumerate([
        "Torvald moved the deadline again and the project is late.",
        "My manager Torvald wants the project report by Friday.",
        "The project deadline is crushing me, Torvald keeps asking.",
        "Worked late on the project because Torvald changed the plan.",
    ] * 4)]
    texts = breakup + work
    labels = np.array([0] * len(breakup) + [1] * len(work))
    keywords = themes.theme_keywords(texts, labels)
    for c, words in keywords.items():
        label = themes.theme_label(words, [t for t, l in zip(texts, labels) if l == c])
        assert not {"dana", "torvald"} & set(" ".join(words + [label]).split()), (words, label)
    assert "breakup" in " ".join(keywords[0]) and "project" in " ".join(keywords[1])
    # without the name filter the names would lead the keywords (what the filter prevents)
    raw = themes.theme_keywords(texts, labels, exclude=())
    assert "dana" in raw[0][:3] and "torvald" in raw[1][:3]
