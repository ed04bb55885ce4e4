"""Themes: the production k-means path on seeded blobs, and labels from a real model run.

The unit tests cluster seeded synthetic blobs on the sphere and assert on structure; the
model tests embed a small planted corpus with the real encoder (no network) and run the
stage's pure core (``themes_stage.scope_themes``) exactly as analyze does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipelines import themes_stage
from pipelines.nlp import names, themes
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


TOPIC_WORDS = {
    "work": {"work", "boss", "deadline", "deadlines", "manager", "project", "office", "job", "workload"},
    "sleep": {"sleep", "asleep", "slept", "insomnia", "night", "bed", "bedtime", "awake", "waking"},
    "mother": {"mother", "mom", "family", "parents", "mum"},
    "money": {"money", "rent", "bills", "bill", "debt", "loan", "loans", "payments", "paycheck"},
}
PLANTED = {"work": WORK, "sleep": SLEEP, "mother": MOTHER, "money": MONEY}


# ------------------------------------------------------------------ k-means on seeded blobs

def _blobs(sizes, spread=0.05, seed=0, dim=384):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((len(sizes), dim))
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    truth = np.repeat(np.arange(len(sizes)), sizes)
    points = centers[truth] + rng.standard_normal((len(truth), dim)) * spread
    order = rng.permutation(len(truth))
    return points[order].astype(np.float32), truth[order]


def test_n_themes_grows_with_the_square_root_and_is_bounded():
    assert themes.n_themes(4) == 2 and themes.n_themes(8) == 2
    assert themes.n_themes(200) == 10
    assert themes.n_themes(10 ** 6) == themes.MAX_THEMES


def test_kmeans_themes_are_pure_blobs_numbered_by_size():
    points, truth = _blobs([80, 50, 30, 20])
    labels = themes.kmeans_themes(points, min_size=5)
    assert np.mean(labels >= 0) >= 0.9  # pieces of a split blob under 5 points dissolve
    found = sorted(set(labels.tolist()) - {-1})
    assert found == list(range(len(found))) and len(found) <= themes.n_themes(len(points))
    for c in found:  # k-means may split a blob, never join two
        assert len(set(truth[labels == c].tolist())) == 1, c
    assert set(truth.tolist()) == {int(np.bincount(truth[labels == c]).argmax()) for c in found}
    sizes = [int((labels == c).sum()) for c in found]
    assert sizes == sorted(sizes, reverse=True)


def test_kmeans_themes_exactly_k_blobs_are_recovered():
    points, truth = _blobs([60, 60])  # n = 120 -> k = 8: two blobs, split but never mixed
    labels = themes.kmeans_themes(points, min_size=2)
    assert all(len(set(truth[labels == c].tolist())) == 1 for c in set(labels.tolist()))
    few, few_truth = _blobs([6, 6])   # n = 12 -> k = 2: the two blobs exactly
    few_labels = themes.kmeans_themes(few, min_size=2)
    assert sorted(np.bincount(few_labels).tolist()) == [6, 6]
    assert all(len(set(few_truth[few_labels == c].tolist())) == 1 for c in (0, 1))


def test_kmeans_themes_dissolve_small_clusters_and_tiny_sets():
    points, truth = _blobs([40, 40, 3], spread=0.03, seed=3)
    labels = themes.kmeans_themes(points, min_size=5)
    assert (labels[truth == 2] == -1).all(), "a cluster under the minimum size has no theme"
    assert np.mean(labels[truth < 2] >= 0) >= 0.9
    assert (themes.kmeans_themes(points[:9], min_size=5) == -1).all()  # fewer than 2 themes' worth
    assert (themes.kmeans_themes(points[:3], min_size=2) == -1).all()


def test_kmeans_themes_do_not_depend_on_row_order():
    points, _ = _blobs([50, 40, 30, 12], spread=0.3, seed=5)  # overlapping: order would matter
    labels = themes.kmeans_themes(points, min_size=5)
    for seed in (1, 2):
        order = np.random.default_rng(seed).permutation(len(points))
        again = themes.kmeans_themes(points[order], min_size=5)
        assert np.array_equal(again, labels[order])


def test_text_themes_cluster_conversations_together():
    """Blended with their conversation, the messages of one talk share a theme even when one
    message alone sits nearer the other blob."""
    points, truth = _blobs([30, 30], spread=0.05, seed=7)
    groups = [f"talk-{t}-{i // 5}" for i, t in enumerate(truth)]
    stray = np.flatnonzero(truth == 0)[0]  # one message of a blob-0 talk reads like blob 1
    talk = groups[stray]
    points[stray] = points[np.flatnonzero(truth == 1)[0]]
    groups = [talk if i == stray else g for i, g in enumerate(groups)]
    labels, blended = themes.text_themes(points, groups, min_size=3)
    mates = [i for i, g in enumerate(groups) if g == talk and i != stray]
    assert labels[stray] == labels[mates[0]]
    assert np.allclose(np.linalg.norm(blended, axis=1), 1, atol=1e-5)
    alone, _ = themes.text_themes(points, [None] * len(points), min_size=3)
    assert alone[stray] != alone[mates[0]]


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


def test_filler_detection():
    for text in FILLER + ["", "   ", "...", "👍", "ok.", "Thank you, see you next week!"]:
        assert themes.is_filler(text), text
    for text in WORK + SLEEP + MOTHER + MONEY + ["it keeps me up at night", "can't sleep",
                                                "I miss him", "no energy today"]:
        assert not themes.is_filler(text), text


# ------------------------------------------------------------------ label candidates (no model)

def test_text_phrases_begin_and_end_with_content_words():
    text = "I keep having panic attacks at work, and Dana says it's nothing. My 3am thoughts."
    phrases = themes.text_phrases(text, themes._edge_stop(), frozenset({"dana"}))
    assert "panic attacks" in phrases and "panic attacks at work" in phrases
    for phrase in phrases:
        words = phrase.split()
        assert 2 <= len(words) <= themes.MAX_PHRASE_WORDS
        assert "dana" not in words and not {"i", "it's", "and", "my"} & {words[0], words[-1]}
        assert phrase in text.lower()  # adjacent words of the text itself
    assert not any("thoughts" in p and "3am" in p for p in phrases)  # digits break a phrase


def test_text_phrases_name_things_not_clause_fragments():
    """A label candidate is a noun phrase: it never begins with a verb-only word and holds no
    article, pronoun, other people's possessive or clause word ("checked the app")."""
    edge = themes._edge_stop()
    fragments = {
        "I checked the app and noticed that the reassurance faded.": ["checked the app", "noticed that the reassurance",
                                                                      "reassurance faded"],
        "Cancelled the gym, stayed at my desk, lost her connection.": ["cancelled the gym", "stayed at my desk",
                                                                       "lost her connection", "gym"],
        "She wished for an accident and then it was over.": ["wished for an accident", "accident and then"],
    }
    for text, bad in fragments.items():
        phrases = themes.text_phrases(text, edge, frozenset())
        assert not set(bad) & phrases, (text, phrases)
        for phrase in phrases:
            words = phrase.split()
            assert not set(words) & (themes._PHRASE_INNER_STOP | themes._PRONOUNS), phrase
    kept = themes.text_phrases("Exam stress again, lack of motivation and constant fights with my husband "
                               "about money; panic attacks at work.", edge, frozenset())
    assert {"exam stress", "lack of motivation", "fights with my husband", "panic attacks"} <= kept, kept


def test_label_candidates_count_conversations_not_repeats():
    texts = ["the panic attacks again", "more panic attacks", "panic attacks all day",
             "sleep schedule is off", "my sleep schedule", "sleep schedule ruined"]
    labels = np.array([0, 0, 0, 1, 1, 1])
    one_talk = ["a", "a", "a", "b", "c", "d"]
    counted = themes.label_candidates(texts, labels, groups=one_talk, exclude=())
    assert ("sleep schedule", 3) in counted[1]
    assert dict(counted[0]).get("panic attacks") == 1  # one conversation saying it three times
    assert dict(themes.label_candidates(texts, labels, exclude=())[0])["panic attacks"] == 3


def test_label_candidates_leave_out_courtesy_and_misspelled_words():
    """No courtesy-only phrase ("good night"); a word neither the common-words list nor the
    lexicon knows ("thearapist") needs two conversations, and then it is kept ("ptsd")."""
    texts = ["good night and thanks", "great session, good night", "good night again",
             "my anxiety and my thearapist", "anxiety and my thearapist again", "anxiety attacks at night",
             "ptsd symptoms after the crash", "the ptsd symptoms again", "nightmares and ptsd symptoms"]
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
    talks = ["a", "b", "c", "d", "d", "e", "f", "g", "h"]
    found = themes.label_candidates(texts, labels, 50, groups=talks, exclude=())
    assert not {"good night", "great session"} & {p for p, _ in found[0]}, found[0]
    assert not any("thearapist" in p for p, _ in found[1]), found[1]  # one conversation, twice
    assert "anxiety attacks" in dict(found[1])
    assert dict(found[2]).get("ptsd symptoms") == 3
    assert "thats" in themes._stop_words() and "thats" not in themes.theme_keywords(
        ["thats fair " * 3 + "money", "thats fair", "sleep"] * 3, np.array([0, 0, 1] * 3), exclude=())[0]


def test_label_candidates_fill_with_one_conversation_phrases_that_hold_a_head(monkeypatch):
    """Few shared phrases hold a head word ("young adult", in two conversations): phrases one
    conversation uses that hold a head join them ("gay man"), so the theme's problem can
    name it; with LABEL_FILL off only the shared phrase is left."""
    texts = ["I am a young adult and I think I am gay.", "As a young adult I fear coming out as a gay man.",
             "Being gay at school is lonely.", "My parents reject my gay identity.",
             "The sleep schedule is off.", "My sleep schedule again.", "Bad sleep schedule and noise."]
    labels = np.array([0, 0, 0, 0, 1, 1, 1])
    talks = ["a", "b", "c", "d", "e", "f", "g"]
    heads = {0: ["gay", "adult"], 1: ["sleep"]}
    found = dict(themes.label_candidates(texts, labels, groups=talks, exclude=(), heads=heads)[0])
    assert found["young adult"] == 2 and {"gay man", "gay identity"} <= set(found), found
    monkeypatch.setattr(themes, "LABEL_FILL", False)
    assert [p for p, _ in themes.label_candidates(texts, labels, groups=talks, exclude=(), heads=heads)[0]] == [
        "young adult"]


def test_label_candidates_tied_go_to_the_word_most_conversations_use():
    """Phrases of one conversation each tie on c-TF-IDF: the one built on the theme's shared
    word ("anxiety", in every conversation) comes before one client's aside, not
    alphabetically ("awful bicycle chain")."""
    texts = ["My anxiety keeps me awake, an awful bicycle chain noise.", "Anxiety again, the anxiety attacks came.",
             "Constant anxiety.", "The sleep schedule is off.", "My sleep schedule again."]
    labels = np.array([0, 0, 0, 1, 1])
    talks = ["a", "b", "c", "d", "e"]
    found = [p for p, _ in themes.label_candidates(texts, labels, 50, groups=talks, exclude=())[0]]
    first_aside = min(i for i, p in enumerate(found) if "anxiety" not in p)
    assert first_aside == sum("anxiety" in p for p in found) >= 3, found
    assert found[:3] == sorted(found[:3]), found  # then alphabetical


def test_a_label_is_never_a_phrase_few_of_its_conversations_share():
    """Two themes share their best phrase ("grounding exercise", in every conversation): the
    second may not repeat it, and does not fall to one client's aside ("grinding my teeth",
    one conversation of five) but to words its conversations share (LABEL_MIN_SUPPORT)."""
    first = [f"The grounding exercise helped on day {d}." for d in "one two three four five".split()]
    second = ["The grounding exercise and naming five things.", "Grounding exercise again, naming colours.",
              "I tried the grounding exercise, naming sounds.", "Grounding exercise before bed, naming objects.",
              "Grounding exercise while grinding my teeth."]
    texts = first + second
    labels = np.array([0] * 5 + [1] * 5)
    talks = [f"t{i}" for i in range(10)]
    vectors = embed_texts(texts)
    names = themes.theme_labels(texts, labels, themes.theme_centroids(vectors, labels), embed_texts,
                                groups=talks, exclude=())
    assert names[0] == "grounding exercise" and names[1] != names[0], names
    assert "grinding" not in names[1] and "teeth" not in names[1], names
    assert 2 <= len(names[1].split()) <= 5, names


def test_keyword_pairs_join_two_nouns_that_name_different_things():
    heads = {0: ["anxiety", "wants", "insomnia", "lately", "mom", "mother", "thearapist"],
             1: ["calls", "people", "daughter", "dad", "school", "teacher"],
             2: ["deadline"]}
    pairs = themes.keyword_pairs(heads, 4)
    # verb forms ("wants", "calls"), adverbs ("lately"), generic words ("people") and unknown
    # words are no keywords to join; "mom" and "mother" name one person
    assert pairs[0] == ["anxiety and insomnia", "anxiety and mom", "anxiety and mother",
                        "insomnia and mom", "insomnia and mother"], pairs[0]
    assert pairs[1][:3] == ["daughter and dad", "daughter and school", "daughter and teacher"], pairs[1]
    assert pairs[2] == []
    for label in pairs[0] + pairs[1]:
        assert 2 <= len(label.split()) <= 5


def test_labels_may_join_two_keywords_when_no_phrase_names_the_theme(monkeypatch):
    """With LABEL_PAIRS on (off by default: such pairs read as noise elsewhere), a theme that
    says its problem only in single words ("I have anxiety") gets two of its keywords."""
    monkeypatch.setattr(themes, "LABEL_PAIRS", 3)
    texts = ["I have anxiety.", "Anxiety again, so much.", "Today anxiety, insomnia later.",
             "Insomnia all night.", "So much insomnia now.", "Lots of anxiety.",
             "My boss yelled about the deadline.", "The deadline moved, my boss is angry.",
             "Boss wants the report before the deadline.", "Missed the deadline, boss furious.",
             "The deadline is Friday and my boss knows.", "Boss and deadline again."]
    labels = np.array([0] * 6 + [1] * 6)
    vectors = embed_texts(texts)
    found = themes.theme_labels(texts, labels, themes.theme_centroids(vectors, labels), embed_texts,
                                groups=[f"talk-{i}" for i in range(len(texts))], exclude=())
    assert found[0] in ("anxiety and insomnia", "insomnia and anxiety"), found
    assert "deadline" in found[1] or "boss" in found[1], found
    # the same texts in another order: the same labels
    order = np.random.default_rng(3).permutation(len(texts))
    again = themes.theme_labels([texts[i] for i in order], labels[order],
                                themes.theme_centroids(vectors[order], labels[order]), embed_texts,
                                groups=[f"talk-{i}" for i in order], exclude=())
    assert again == found


# ------------------------------------------------------------------ a real model run

def _units(texts, conversations):
    return pd.DataFrame({"text": texts, "conversation_id": conversations,
                         "source": "message", "source_id": [f"m-{i}" for i in range(len(texts))]})


def _corpus():
    """Planted topics as talks of four messages, filler sprinkled in, in a fixed mixed order."""
    texts, truth, talks = [], [], []
    for topic, sentences in PLANTED.items():
        for i, text in enumerate(sentences):
            texts.append(text), truth.append(topic), talks.append(f"{topic}-{i // 4}")
    for i, text in enumerate(FILLER):
        texts.append(text), truth.append(None), talks.append(f"{list(PLANTED)[i % 4]}-0")
    order = np.random.default_rng(0).permutation(len(texts))
    return _units([texts[i] for i in order], [talks[i] for i in order]), [truth[i] for i in order]


@pytest.fixture(scope="module")
def vectors():
    everything = [t for group in PLANTED.values() for t in group] + FILLER
    return dict(zip(everything, embed_texts(everything)))


@pytest.fixture(scope="module")
def planted(vectors):
    units, truth = _corpus()
    embeddings = np.stack([vectors[t] for t in units["text"]])
    content = ~units["text"].map(themes.is_filler).to_numpy()
    units, truth, embeddings = units[content].reset_index(drop=True), np.array(truth, dtype=object)[content], embeddings[content]
    return units, truth, embeddings, themes_stage.scope_themes(units, embeddings, embed_texts)


def test_planted_topics_come_out_as_separate_themes(planted):
    units, truth, _, found = planted
    assert np.mean(found.labels >= 0) >= 0.9
    majority = {}
    for c in found.centroids:
        topics = truth[found.labels == c].tolist()
        assert max(map(topics.count, set(topics))) / len(topics) >= 0.8, topics
    for topic in PLANTED:
        mine = found.labels[(truth == topic) & (found.labels >= 0)]
        majority[topic] = int(np.bincount(mine).argmax())
    assert len(set(majority.values())) == len(PLANTED), majority


def test_labels_are_short_phrases_from_the_texts_that_name_the_topic(planted):
    units, truth, _, found = planted
    texts = units["text"].str.lower().str.replace("\u2019", "'").tolist()
    assert len(set(found.names.values())) == len(found.names), "two themes, one label"
    for c, label in found.names.items():
        words = label.split()
        assert 2 <= len(words) <= 5, label
        members = np.flatnonzero(found.labels == c)
        # the clients' own words: a phrase of their texts, or two of their keywords joined
        pair = label.split(" and ")
        assert any(label in texts[i] for i in members) or (
            len(pair) == 2 and all(any(f" {w} " in f" {texts[i]} " for i in members) for w in pair)), label
        topics = truth[members].tolist()
        topic = max(set(topics), key=topics.count)
        assert set(words) & TOPIC_WORDS[topic], (topic, label)


def test_same_texts_in_any_order_give_the_same_themes_and_labels(planted, vectors):
    units, _, embeddings, found = planted

    def described(units, found):
        themes_of = {}
        for c in found.centroids:
            themes_of[frozenset(units["text"][found.labels == c])] = (found.names[c], tuple(found.keywords[c]))
        return themes_of

    for seed in (1, 2):
        order = np.random.default_rng(seed).permutation(len(units))
        shuffled = units.iloc[order].reset_index(drop=True)
        again = themes_stage.scope_themes(shuffled, embeddings[order], embed_texts)
        assert described(shuffled, again) == described(units, found)
        assert np.array_equal(again.labels, found.labels[order])


def test_labels_are_stable_across_runs_and_name_no_one(planted):
    units, _, embeddings, found = planted
    again = themes_stage.scope_themes(units.copy(), embeddings.copy(), embed_texts)
    assert again.names == found.names and np.array_equal(again.labels, found.labels)
    banned = names.personal_names(units["text"].tolist()) | names.first_names()
    for label in found.names.values():
        words = label.split()
        assert 2 <= len(words) <= 5 and not {themes._bare(w) for w in words} & banned, label
        assert not set(words) & (themes._PHRASE_INNER_STOP | themes._PRONOUNS), label


def test_mmr_keeps_labels_of_similar_themes_apart():
    """Two themes whose texts share one phrase: the second theme takes its own phrase, not a
    near-copy of the first's (maximal marginal relevance across the scope's labels)."""
    texts = ["panic attacks at night", "panic attacks again", "panic attacks on the bus",
             "panic attacks and panic disorder", "panic attacks at work", "sleep problems and panic attacks",
             "sleep problems every night", "sleep problems again", "sleep problems since june",
             "sleep problems and insomnia", "sleep problems and panic attacks", "insomnia and sleep problems"]
    labels = np.array([0] * 6 + [1] * 6)
    vectors = embed_texts(texts)
    found = themes.theme_labels(texts, labels, themes.theme_centroids(vectors, labels), embed_texts,
                                groups=[f"talk-{i}" for i in range(len(texts))], exclude=())
    assert found[0] != found[1], found
    assert "panic" in found[0] and "sleep" in found[1], found


def test_quotes_are_distinct_content_texts_of_their_theme(planted):
    units, _, _, found = planted
    texts = units["text"].tolist()
    for c, quotes in found.quotes.items():
        assert len(quotes) == 3 and len({texts[i] for i in quotes}) == 3
        assert all(found.labels[i] == c and not themes.is_filler(texts[i]) for i in quotes)


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
        label = themes.keyword_label(words, [t for t, l in zip(texts, labels) if l == c])
        assert not {"dana", "torvald"} & set(" ".join(words + [label]).split()), (words, label)
    assert "breakup" in " ".join(keywords[0]) and "project" in " ".join(keywords[1])
    # without the name filter the names would lead the keywords (what the filter prevents)
    raw = themes.theme_keywords(texts, labels, exclude=())
    assert "dana" in raw[0][:3] and "torvald" in raw[1][:3]


def test_phrase_labels_never_name_people():
    """The names that lead the raw phrases ("dana since the breakup") never reach a label."""
    texts = [
        "I keep thinking about Dana since the breakup.", "Dana texted me again after the breakup.",
        "Saw Dana at the cafe, the breakup still hurts.", "I miss Dana and hate how the breakup ended.",
        "The breakup with Dana keeps me awake.", "Dana posted photos, the breakup feels fresh.",
        "Torvald moved the project deadline again.", "My manager Torvald wants the project report.",
        "The project deadline is crushing me, Torvald keeps asking.",
        "Worked late on the project deadline because Torvald changed the plan.",
        "Torvald said the project deadline is Friday.", "Torvald moved the project deadline to Monday.",
    ]
    labels = np.array([0] * 6 + [1] * 6)
    vectors = embed_texts(texts)
    found = themes.theme_labels(texts, labels, themes.theme_centroids(vectors, labels), embed_texts,
                                groups=[f"talk-{i}" for i in range(len(texts))])
    banned = names.personal_names(texts)
    assert {"dana", "torvald"} <= banned
    for c, label in found.items():
        assert 2 <= len(label.split()) <= 5 and not set(label.split()) & banned, label
    assert "breakup" in found[0] and "project" in found[1], found


def test_caseload_keywords_and_labels_hold_no_word_only_one_client_wrote(vectors):
    """A caseload theme is shown to every clinician with a client in it: one client's own
    words (here a detail only the first work client writes) never reach its keywords or
    label, while words many clients share still do."""
    units, _ = _corpus()
    units["client_id"] = units["conversation_id"]  # each talk is one client's
    detail = " The spreadsheet macros broke again."
    mine = (units["conversation_id"] == "work-0").to_numpy()
    units.loc[mine, "text"] = units.loc[mine, "text"] + detail
    extra = units.loc[mine, "text"].tolist()
    vecs = dict(vectors) | dict(zip(extra, embed_texts(extra)))
    embeddings = np.stack([vecs[t] for t in units["text"]])

    def described(found):
        return [" ".join(found.keywords[c]) + " | " + found.names[c] for c in found.centroids]

    def holds_detail(found):
        return any(("spreadsheet" in d) or ("macros" in d) for d in described(found))

    alone = themes_stage.scope_themes(units, embeddings, embed_texts)  # a client's own scope
    assert holds_detail(alone), described(alone)  # the detail is distinctive enough to show
    caseload = themes_stage.scope_themes(units, embeddings, embed_texts,
                                         min_clients=themes_stage.CASELOAD_MIN_CLIENTS)
    assert not holds_detail(caseload), described(caseload)
    assert np.array_equal(caseload.labels, alone.labels)  # the same themes, other words
    shared = " ".join(described(caseload))
    assert "sleep" in shared and ("work" in shared or "deadline" in shared), shared


def test_rare_words_count_clients_not_texts():
    texts = ["my piano lesson", "my piano lesson again", "a piano at school", "school again"]
    owners = ["a", "a", "b", "c"]
    assert themes.rare_words(texts, owners, 1) == frozenset()
    rare = themes.rare_words(texts, owners, 2)
    assert "lesson" in rare and "piano" not in rare and "school" not in rare
    assert themes.rare_words(texts[::-1], owners[::-1], 2) == rare


def test_keyword_label_is_a_bigram_of_the_texts_unless_another_theme_has_it():
    texts = ["a dull headache again today", "that dull headache at work", "headache and times"]
    keywords = ["headache", "dull headache", "times", "work"]
    assert themes.keyword_label(keywords, texts) == "dull headache"
    again = themes.keyword_label(keywords, texts, taken={"dull headache"})
    assert again != "dull headache" and again.startswith("dull headache and"), again
    assert themes.keyword_label(["sleep", "work"], ["sleep and work"]) == "sleep and work"
