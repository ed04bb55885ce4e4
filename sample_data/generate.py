#!/usr/bin/env python3
"""Deterministic, realistic sample data for Interlude: client exports, appointments, ground truth.

    python sample_data/generate.py [--out DIR] [--clients 24] [--providers 3] [--days 200]
                                   [--seed 7] [--end 2026-11-20]

With the defaults it rewrites the committed sample in ``sample_data/``. Library API:

* ``iter_exports(n_clients, n_days, seed=7, end="2026-11-20", n_providers=None)`` yields
  ``(relative_path, export_dict)`` without writing anything (no ground truth; fast).
* ``generate(out_dir, n_clients=24, n_providers=3, n_days=200, seed=7, end="2026-11-20")``
  writes exports, appointments.csv, ground_truth.csv, personas.json, revisions.csv and the
  invalid example.

Only ``random.Random`` instances seeded from strings are used (string seeds are hashed
with SHA-512, independent of PYTHONHASHSEED), and no set is ever iterated, so the same
arguments give byte-identical files. Personas are assigned per block of 24 clients
(roles, trajectories, scopes), so any caseload size gets the same mix.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import json
import math
import random
import re
import shutil
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a script: make ``sample_data`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sample_data import textbank as T  # noqa: E402
from sample_data.text_guide import GUIDE, RISK_RESPONSE, SUGGEST  # noqa: E402
from sample_data.text_risk import (DECOYS, RECOVERY, URGENT_MESSAGE, URGENT_NOTE, WATCH,  # noqa: E402
                                   WATCH_LEAD)

HERE = Path(__file__).resolve().parent
DEFAULT_END = "2026-11-20"
BLOCK = 24

THEMES = T.THEME_SLUGS
TRAJECTORIES = ["improving", "worsening", "flat", "crisis_recovery"]
RHYTHMS = ["sunday_dread", "monday_mornings", "friday_relief", "midweek_slump", "none"]
BODY_RESPONSES = [("chest", "tightness"), ("stomach", "knot"), ("jaw", "clenched"), ("shoulders", "tension"),
                  ("head", "pressure"), ("throat", "lump"), ("whole body", "restless")]
PRACTICES = ["box_breathing", "body_scan", "grounding_54321", "journaling", "walk",
             "progressive_muscle_relaxation", "guided_meditation"]
DURATIONS = {"box_breathing": (3, 6), "body_scan": (8, 20), "grounding_54321": (3, 5), "journaling": (10, 25),
             "walk": (15, 45), "progressive_muscle_relaxation": (10, 15), "guided_meditation": (5, 15)}
TIMEZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix",
             "Europe/London", "Europe/Dublin", "Europe/Berlin", "Europe/Madrid", "Europe/Amsterdam", "Europe/Paris",
             "Europe/Stockholm"]
PROVIDER_NAMES = ["Dr. A. Rivera", "Dr. M. Okafor", "Dr. S. Lindqvist", "Dr. J. Moreau", "Dr. K. Tanaka",
                  "Dr. L. Haddad", "Dr. P. Novak", "Dr. R. Castillo"]
SURNAMES = ["Rivera", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Novak", "Castillo", "Byrne", "Kowalski",
            "Mensah", "Ferreira", "Dubois", "Larsen", "Iyer", "Walsh"]
APP_VERSIONS = [(-400, "4.1.3"), (-150, "4.2.0"), (-80, "4.2.1"), (-30, "4.3.0")]  # (days relative to end, version)

# Roles by position in a block of 24 clients (c-0001 is position 0).
BLOCK_TRAJ = ["improving", "flat", "worsening", "crisis_recovery", "improving", "worsening", "flat", "improving",
              "crisis_recovery", "flat", "worsening", "improving", "flat", "crisis_recovery", "improving", "worsening",
              "flat", "improving", "crisis_recovery", "worsening", "improving", "flat", "improving", "crisis_recovery"]
SUMMARY_POS = (2, 9, 15, 20, 22)
WATCH_POS, URGENT_POS, REVISION_POS = 5, 13, 7
DECOY_POS = {0: 0, 3: 1, 6: 2, 11: 3, 16: 4, 18: 5, 21: 6}
LATE_POS = (10, 19)
ENGAGEMENT = {
    "high": dict(checkin=0.9, second=0.12, conv=(2.6, 4.0), practice=0.3, gaps=(0, 1), gap_len=(3, 6), note=0.5, episodes=(5, 7)),
    "medium": dict(checkin=0.7, second=0.05, conv=(1.6, 2.6), practice=0.18, gaps=(1, 2), gap_len=(4, 9), note=0.4, episodes=(4, 6)),
    "low": dict(checkin=0.45, second=0.0, conv=(1.0, 1.5), practice=0.1, gaps=(2, 4), gap_len=(6, 14), note=0.3, episodes=(3, 5)),
}

FEMALE = ["Dana", "Priya", "Claire", "Maya", "Sofia", "Hannah", "Leah", "Ines", "Grace", "Nora", "Aisha", "Chloe",
          "Marta", "Elena", "Rosa", "Jess", "Tara", "Yuki", "Lena", "Beth"]
MALE = ["Mark", "Tom", "Daniel", "Luis", "Sam", "Omar", "Jonas", "Ben", "Felix", "Ravi", "Chris", "Pete", "Adam",
        "Marco", "Ethan", "Joel", "Kofi", "Noah", "Liam", "Hugo"]
KIDS = ["Mia", "Leo", "Ava", "Theo", "Isla", "Max", "Ruby", "Finn", "Zoe", "Oscar", "Lily", "Eli"]
PRONOUNS = {"f": ("she", "her", "her"), "m": ("he", "him", "his")}
PERSONA_SLOTS = ["boss", "boss_he", "boss_him", "boss_his", "coworker", "ex", "ex_he", "ex_him", "ex_his", "friend",
                 "sib", "sib_rel", "cared", "cared_he", "cared_him", "cared_his", "lost", "lost_he", "lost_him",
                 "lost_his", "kid", "kid_he", "kid_him", "kid_his", "parent", "mate", "cur", "er", "home", "holiday",
                 "crisis"]
REGION_WORDS = {
    "us": dict(parent="mom", er="the ER", home="apartment", holiday="Thanksgiving", cur="$", mate="roommate",
               crisis="the 988 Suicide & Crisis Lifeline (call or text 988)"),
    "uk": dict(parent="mum", er="A&E", home="flat", holiday="Christmas", cur="£", mate="flatmate",
               crisis="Samaritans on 116 123"),
    "ie": dict(parent="mum", er="A&E", home="flat", holiday="Christmas", cur="€", mate="flatmate",
               crisis="Samaritans on 116 123"),
    "eu": dict(parent="mum", er="the emergency room", home="flat", holiday="Christmas", cur="€", mate="flatmate",
               crisis="a local crisis line (or 112 in an emergency)"),
}


def _region(tz: str) -> str:
    if tz.startswith("America/"):
        return "us"
    return {"Europe/London": "uk", "Europe/Dublin": "ie"}.get(tz, "eu")


def _clamp(x, lo, hi):
    return lo if x < lo else hi if x > hi else x


def _parse_end(end) -> date:
    return end if isinstance(end, date) else date.fromisoformat(str(end))


def provider_name(n: int) -> str:
    if n <= len(PROVIDER_NAMES):
        return PROVIDER_NAMES[n - 1]
    return f"Dr. {chr(ord('A') + (n * 7) % 26)}. {SURNAMES[(n * 5) % len(SURNAMES)]}"


# ---------------------------------------------------------------------------- personas

def make_persona(index: int, seed: int, n_providers: int, first_day: date, n_days: int, force_raw: bool = False) -> dict:
    cid = f"c-{index:04d}"
    rng = random.Random(f"interlude-persona:{seed}:{cid}")
    pos = (index - 1) % BLOCK
    tz = TIMEZONES[rng.randrange(len(TIMEZONES))]
    region = _region(tz)
    risk_role = "watch" if pos == WATCH_POS else "urgent" if pos == URGENT_POS else ""
    if force_raw:
        risk_role = ""
    trajectory = BLOCK_TRAJ[pos]
    engagement = ["high", "medium", "low"][pos % 3]
    if risk_role:
        engagement = "high"
    scope = "summary" if pos in SUMMARY_POS and not force_raw else "raw"

    n_themes = rng.randint(2, 4)
    themes = rng.sample(THEMES, n_themes)
    if risk_role == "urgent" and not any(t in themes for t in ("grief", "breakup", "loneliness")):
        themes[-1] = "loneliness"
    if risk_role == "watch" and "loneliness" not in themes and "grief" not in themes:
        themes[0] = "grief"
    lo, hi = 1962, 2003
    if "school" in themes:
        lo, hi = 1999, 2006
    elif "parenting" in themes:
        lo, hi = 1980, 1993
    elif "caring_for_parent" in themes:
        lo, hi = 1962, 1986
    birth_year = rng.randint(lo, hi)

    rhythm = RHYTHMS[(pos * 3 + index // BLOCK) % len(RHYTHMS)]
    body = rng.sample(BODY_RESPONSES, rng.randint(1, 3))
    kinds = rng.sample(PRACTICES, 4)
    helpful = kinds[:rng.randint(1, 2)]
    unhelpful = kinds[2:2 + rng.randint(1, 2)]
    letters = "ABCDEFGHJKLMNOPRSTVW"
    display = f"{letters[rng.randrange(len(letters))]}. {letters[rng.randrange(len(letters))]}."

    def person(pool_f=FEMALE, pool_m=MALE):
        g = "f" if rng.random() < 0.5 else "m"
        name = (pool_f if g == "f" else pool_m)[rng.randrange(len(pool_f if g == "f" else pool_m))]
        return name, PRONOUNS[g]

    words = dict(REGION_WORDS[region])
    boss, bp = person()
    ex, xp = person()
    kid, kp = person(KIDS[:6], KIDS[6:])
    sib_g = "f" if rng.random() < 0.5 else "m"
    sib = (FEMALE if sib_g == "f" else MALE)[rng.randrange(20)]
    cared_g = "f" if rng.random() < 0.6 else "m"
    cared = (words["parent"].capitalize() if cared_g == "f" else "Dad")
    lost_opts = [("Gran", "f"), ("Grandpa", "m"), ("Nan", "f"), ("my uncle Joe", "m"), ("my aunt Rosa", "f")]
    if cared_g == "f" and "family_conflict" not in themes:
        lost_opts.append(("Dad", "m"))
    lost, lost_g = lost_opts[rng.randrange(len(lost_opts))]
    friend = FEMALE[rng.randrange(len(FEMALE))]
    while friend == boss or friend == ex:
        friend = FEMALE[rng.randrange(len(FEMALE))]
    coworker = (FEMALE + MALE)[rng.randrange(40)]
    people = {
        "boss": ["my manager", boss, "my boss", boss], "boss_he": bp[0], "boss_him": bp[1], "boss_his": bp[2],
        "coworker": coworker, "ex": ex, "ex_he": xp[0], "ex_him": xp[1], "ex_his": xp[2], "friend": friend,
        "sib": sib, "sib_rel": "sister" if sib_g == "f" else "brother",
        "cared": cared, "cared_he": PRONOUNS[cared_g][0], "cared_him": PRONOUNS[cared_g][1], "cared_his": PRONOUNS[cared_g][2],
        "lost": lost, "lost_he": PRONOUNS[lost_g][0], "lost_him": PRONOUNS[lost_g][1], "lost_his": PRONOUNS[lost_g][2],
        "kid": kid, "kid_he": kp[0], "kid_him": kp[1], "kid_his": kp[2],
    }
    people.update(words)

    lower = [0.0, 0.0, 0.1, 0.5, 0.85][rng.randrange(5)]
    style = {"lower": lower, "noapos": lower > 0.3 and rng.random() < 0.7, "typo": round(rng.uniform(0.02, 0.14), 3),
             "drop_period": round(rng.uniform(0.1, 0.6), 2), "verbose": round(rng.uniform(0.2, 0.7), 2),
             "opener": round(rng.uniform(0.05, 0.3), 2), "tail": round(rng.uniform(0.03, 0.15), 2)}
    if pos in LATE_POS:
        start_off = int(n_days * rng.uniform(0.3, 0.42))
    else:
        start_off = rng.randint(0, max(0, min(20, n_days // 10)))
    start = first_day + timedelta(days=start_off)
    cadence = "biweekly" if (engagement == "low" and rng.random() < 0.7) or rng.random() < 0.15 else "weekly"
    if risk_role:
        cadence = "weekly"
    appt = {"cadence": cadence, "weekday": rng.randrange(5), "hour": rng.randint(8, 18), "minute": [0, 30][rng.randrange(2)]}
    return {
        "client_id": cid, "display_name": display, "birth_year": birth_year, "timezone": tz,
        "provider_id": f"p-{((index - 1) % n_providers) + 1:03d}", "themes": themes, "trajectory": trajectory,
        "weekday_rhythm": rhythm, "body_responses": [{"location": l, "sensation": s} for l, s in body],
        "helpful_practices": helpful, "unhelpful_practices": unhelpful, "engagement": engagement,
        "share_scope": scope, "start_date": start.isoformat(),
        "checkin_time": ["morning", "evening", "evening", "mixed"][rng.randrange(4)],
        "appointments": appt, "risk_role": risk_role or "none",
        "decoy": DECOYS[DECOY_POS[pos]][0] if pos in DECOY_POS and not force_raw else "",
        "revision": pos == REVISION_POS and not force_raw,
        "insightfulness": round(rng.uniform(0.12, 0.3), 2),
        "sleep_mean": round(rng.uniform(6.2, 7.8), 2),
        "style": style, "people": people,
    }


# ---------------------------------------------------------------------------- simulation helpers

class Clock:
    """Local wall-clock → (ISO string with offset, epoch seconds), DST-aware."""

    def __init__(self, tz_name: str):
        self.tz = ZoneInfo(tz_name)

    def at(self, day: date, seconds: int) -> tuple[str, float]:
        naive = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
        epoch = naive.replace(tzinfo=self.tz).timestamp()
        return self.iso(epoch), epoch

    def iso(self, epoch: float) -> str:
        return datetime.fromtimestamp(epoch, self.tz).isoformat(timespec="seconds")


def _trajectory(P: dict, t: float, crisis_c: float) -> tuple[float, float]:
    """Base stress (0..10) and a mood adjustment for position t in [0, 1] of the client's period."""
    kind = P["trajectory"]
    if kind == "improving":
        return 6.8 - 3.6 * t, 0.6 * t
    if kind == "worsening":
        return 3.6 + 3.4 * t, -0.5 * t
    if kind == "flat":
        return 5.0 + 0.6 * math.sin(t * 9.0), 0.0
    base = 4.8 if t < crisis_c else 4.8 - 1.6 * (t - crisis_c) / max(0.2, 1 - crisis_c)
    peak = 4.6 if P["risk_role"] == "urgent" else 3.6
    width = 0.05 if t < crisis_c else 0.11
    return base + peak * math.exp(-((t - crisis_c) / width) ** 2), -0.3 if abs(t - crisis_c) < 0.1 else 0.0


def _rhythm(rhythm: str, wd: int, evening: bool) -> tuple[float, float, bool]:
    """(stress delta, energy delta, notable day) for a weekday (0 = Monday)."""
    if rhythm == "sunday_dread":
        if wd == 6:
            return (2.3 if evening else 1.2), -0.5, True
        return (1.0 if wd == 0 else 0.0), 0.0, False
    if rhythm == "monday_mornings":
        if wd == 0:
            return (2.2 if not evening else 1.0), -1.0, True
        return (0.4 if wd == 1 else 0.0), 0.0, False
    if rhythm == "friday_relief":
        if wd == 4:
            return -1.4, 0.5, True
        return {5: -1.5, 6: -0.8}.get(wd, 0.6), 0.0, False
    if rhythm == "midweek_slump":
        if wd in (2, 3):
            return 1.2, -2.0, True
        return 0.0, 0.0, False
    return 0.0, 0.0, False


def _lower_first(text: str, keep: list[str]) -> str:
    first = text.split(" ", 1)[0]
    bare = first.split("'")[0].rstrip(".,")
    if first[:2] in ("I ", "I'") or first == "I" or bare in keep:
        return text
    return text[:1].lower() + text[1:]


KEEP_CAPS = ["I", "I'm", "I've", "I'd", "Dr.", "Slack", "Teams", "Outlook", "Mum", "Mom", "Dad", "Gran", "Grandpa",
             "Nan", "HR", "MS"]


class Writer:
    """Composes one client's texts from the banks, in that client's voice."""

    def __init__(self, rng: random.Random, P: dict):
        self.rng = rng
        self.P = P
        self.people = P["people"]
        self.style = P["style"]
        self.keep = KEEP_CAPS + [v for k, v in self.people.items() if isinstance(v, str) and v[:1].isupper()] \
            + [self.people["boss"][1]]
        self.body = [(b["location"], b["sensation"]) for b in P["body_responses"]]

    def fill(self, template: str, theme: str | None) -> str:
        slots = T.THEMES[theme]["slots"] if theme else {}
        return T.fill(self.rng, template, slots, self.people)

    def line(self, theme: str, key: str) -> str:
        bank = T.THEMES[theme][key]
        return self.fill(bank[self.rng.randrange(len(bank))], theme)

    def react(self, text: str, theme: str, p: float) -> str:
        """Sometimes join a reaction to a short one-clause sentence: "<text>, and <reaction>."."""
        if len(text) < 80 and " and " not in text and "," not in text and text.endswith(".") and self.rng.random() < p:
            return text[:-1] + ", and " + self.fill(T.pick(self.rng, T.REACTIONS), theme) + "."
        return text

    def body_pair(self) -> tuple[str, str]:
        if self.rng.random() < 0.88:
            return self.body[self.rng.randrange(len(self.body))]
        return BODY_RESPONSES[self.rng.randrange(len(BODY_RESPONSES))]

    def feeling(self, theme: str | None, stress: int) -> str:
        r = self.rng
        if stress <= 3:
            return self.fill(T.pick(r, T.FEELING_POS), theme)
        if theme and r.random() < 0.3:
            emo = T.pick(r, T.THEMES[theme]["emotions"])
            return T.pick(r, [f"Mostly {emo}.", f"{emo.capitalize()}, if I'm honest.", f"I feel so {emo}.",
                              f"{emo.capitalize()} and tired.", f"A lot of {emo} today."])
        return self.fill(T.pick(r, T.FEELING), theme)

    def insight(self, theme: str, explicit: bool) -> str:
        r = self.rng
        if explicit:
            cores = T.THEMES[theme]["insight"] if r.random() < 0.75 else T.INSIGHT_GENERIC
            marker = T.pick(r, T.INSIGHT_MARKERS)
            return self.fill(marker.replace("{core}", T.pick(r, cores)), theme)
        rh = self.P["weekday_rhythm"]
        x = r.random()
        if rh != "none" and x < 0.2:
            return T.pick(r, T.RHYTHM_SUBTLE[rh])
        if x < 0.8:
            return self.line(theme, "subtle")
        return T.pick(r, T.SUBTLE_GENERIC)

    def finish(self, core: str, allow_typo: bool = True, opener: bool = False, leadin: bool = False,
               tail: bool = True) -> str:
        r, st = self.rng, self.style
        text = core
        if opener and r.random() < st["opener"]:
            text = T.pick(r, T.OPENERS) + " " + _lower_first(text, self.keep)
        elif leadin and r.random() < 0.28:
            text = T.pick(r, T.LEADINS) + " " + _lower_first(text, self.keep)
        if tail and r.random() < st["tail"]:
            text = text + " " + T.pick(r, T.TAILS)
        style = st if allow_typo else dict(st, typo=0)
        return T.stylize(r, text, style)


# ---------------------------------------------------------------------------- one client

def _pick_days(rng, span: int, lo: float, hi: float, n: int, taken: list[int], spacing: int) -> list[int]:
    out: list[int] = []
    a, b = max(1, int(span * lo)), max(2, int(span * hi))
    for _ in range(n * 30):
        if len(out) == n:
            break
        d = rng.randint(a, min(b, span - 2))
        if all(abs(d - x) >= spacing for x in out) and all(abs(d - x) >= 2 for x in taken):
            out.append(d)
    return sorted(out)


def simulate_client(P: dict, end: date, seed: int, with_truth: bool = True, clip_days: int | None = None) -> dict:
    """Everything one client produced: records, exports, appointments, ground truth, revisions."""
    cid = P["client_id"]
    rng = random.Random(f"interlude-sim:{seed}:{cid}")
    W = Writer(rng, P)
    clock = Clock(P["timezone"])
    start = date.fromisoformat(P["start_date"])
    if clip_days:
        start = max(start, end - timedelta(days=clip_days - 1))
    span = (end - start).days + 1
    eng = ENGAGEMENT[P["engagement"]]
    raw = P["share_scope"] == "raw"
    themes = P["themes"]
    crisis_c = rng.uniform(0.38, 0.58)
    crisis_day = int(crisis_c * (span - 1))

    # forced events first (risk, decoy), then episodes, then gaps around them
    forced: dict[int, list] = {}
    risk_days: list[int] = []
    if P["risk_role"] == "watch":
        for i, d in enumerate(_pick_days(rng, span, 0.45, 0.92, 3, [], 12)):
            forced.setdefault(d, []).append(("risk", "watch", "note" if i == 1 else "message"))
            risk_days.append(d)
    elif P["risk_role"] == "urgent":
        for off, level, where in ((-15, "watch", "message"), (-8, "watch", "message"), (-4, "urgent", "message"),
                                  (-1, "urgent", "note"), (12, "recovery", "message")):
            d = _clamp(crisis_day + off, 1, span - 2)
            forced.setdefault(d, []).append(("risk", level, where))
            risk_days.append(d)
    if P["decoy"]:
        pos = (int(cid[2:]) - 1) % BLOCK
        d = _pick_days(rng, span, 0.25, 0.75, 1, risk_days, 1)[0]
        forced.setdefault(d, []).append(("decoy", DECOY_POS[pos], DECOYS[DECOY_POS[pos]][2]))
        risk_days.append(d)

    n_ep = max(2, round(rng.randint(*eng["episodes"]) * span / 200))
    ep_days = _pick_days(rng, span, 0.03, 0.97, n_ep, risk_days, 9)
    if P["trajectory"] == "crisis_recovery" and all(abs(d - crisis_day) > 6 for d in ep_days):
        ep_days = sorted([d for d in ep_days if abs(d - crisis_day) > 9] + [_clamp(crisis_day - 2, 1, span - 2)])
    episodes = []
    ep_by_day: dict[int, tuple[dict, int]] = {}
    for n, d in enumerate(ep_days, 1):
        theme = themes[0] if rng.random() < 0.4 else T.pick(rng, themes)
        trig = rng.randrange(len(T.THEMES[theme]["trigger"]))
        kind = T.pick(rng, P["helpful_practices"]) if rng.random() < 0.6 else T.pick(rng, P["unhelpful_practices"])
        ep = {"episode_id": f"{cid}-ep-{n:02d}", "theme": theme, "start_day": d, "days": rng.randint(1, 4),
              "intensity": round(rng.uniform(2.5, 4.5), 2), "trigger": trig, "practice": kind,
              "helpful": kind in P["helpful_practices"]}
        episodes.append(ep)
        for k in range(ep["days"]):
            if d + k < span and (d + k) not in ep_by_day:
                ep_by_day[d + k] = (ep, k)

    protected = set(forced) | set(ep_by_day)  # membership only
    gaps = [False] * span
    for _ in range(rng.randint(*eng["gaps"])):
        g0 = rng.randint(5, max(6, span - 10))
        glen = rng.randint(*eng["gap_len"])
        if any((g0 + k) in protected for k in range(glen)):
            continue
        for k in range(glen):
            if g0 + k < span:
                gaps[g0 + k] = True

    conv_rate = rng.uniform(*eng["conv"]) / 7.0
    checkins, convs, practices, truth = [], [], [], []
    counters = {"ci": 0, "cv": 0, "pr": 0}
    noise = 0.0
    pref = P["checkin_time"]

    def new_practice(day, sec, kind, stress_now, ep=None):
        lo, hi = DURATIONS[kind]
        dur = rng.randint(lo, hi)
        good = kind in P["helpful_practices"]
        flag = (rng.random() < 0.9) if good else (rng.random() < 0.12)
        before = _clamp(stress_now + rng.randint(-1, 1), 1, 10)
        after = _clamp(before - (rng.randint(2, 4) if good else rng.randint(-1, 1)), 0, 10)
        if flag and after > before - 1:
            after = _clamp(before - 1, 0, 10)
        if not flag and after < before - 1:
            after = before - 1
        counters["pr"] += 1
        iso, ep_s = clock.at(day, sec)
        rec = {"practice_id": f"{cid}-pr-{counters['pr']:05d}", "at": iso, "kind": kind, "duration_min": dur,
               "stress_before": before, "stress_after": after, "helpful": flag}
        practices.append((ep_s, rec))
        return rec, dur, flag

    for d in range(span):
        day = start + timedelta(days=d)
        t = d / max(1, span - 1)
        noise = 0.72 * noise + rng.gauss(0, 0.85)
        f_events = forced.get(d, [])
        ep, ep_k = ep_by_day.get(d, (None, 0))
        if gaps[d] and not f_events and ep is None:
            continue
        base, mood_adj = _trajectory(P, t, crisis_c)
        wd = day.weekday()
        evening = pref == "evening" or (pref == "mixed" and rng.random() < 0.5) or (P["weekday_rhythm"] == "sunday_dread" and wd == 6)
        if any(e[2] == "note" for e in f_events):
            evening = True
        r_s, r_e, rhythm_day = _rhythm(P["weekday_rhythm"], wd, evening)
        bump = ep["intensity"] * (1.0 if ep_k == 0 else 0.8 ** ep_k) if ep else 0.0
        if any(e[0] == "risk" and e[1] != "recovery" for e in f_events):
            bump = max(bump, 2.5)
        stress_f = base + r_s + noise + bump
        stress = int(_clamp(round(stress_f), 0, 10))
        mood = int(_clamp(round((5.2 - stress_f) / 2.3 + mood_adj + rng.gauss(0, 0.5)), -3, 3))
        sleep = P["sleep_mean"] - 0.22 * (stress_f - 5) + rng.gauss(0, 0.55)
        if "sleep" in themes and stress >= 6:
            sleep -= 1.2
        sleep = _clamp(round(sleep * 4) / 4, 2.5, 11.0)
        energy = int(_clamp(round(5 + (sleep - 7) + 0.8 * mood + r_e + rng.gauss(0, 1.0)), 0, 10))
        day_theme = ep["theme"] if ep else (themes[0] if rng.random() < 0.35 else T.pick(rng, themes))
        ep_id = ep["episode_id"] if ep else ""
        state = {"stress": stress, "mood": mood, "rhythm_day": rhythm_day, "t": t}

        # practice today (episode coping on its first day; otherwise by engagement)
        practice_kind = None
        if ep and ep_k == 0:
            practice_kind = ep["practice"]
        elif rng.random() < eng["practice"] * (1.3 if stress >= 6 else 0.8):
            pool = P["helpful_practices"] if rng.random() < 0.55 + 0.3 * t else P["unhelpful_practices"] + PRACTICES[:3]
            practice_kind = T.pick(rng, pool)

        # --- check-ins
        note_events = [e for e in f_events if e[2] == "note"]
        want_ci = bool(note_events) or (ep is not None and ep_k == 0) or rng.random() < eng["checkin"] * (0.4 if gaps[d] else 1)
        if want_ci:
            slots = [evening]
            if rng.random() < eng["second"]:
                slots = [False, True]
            for si, ev in enumerate(slots):
                sec = (rng.randint(20 * 60, 23 * 60 - 5) if ev else rng.randint(6 * 60 + 40, 9 * 60 + 40)) * 60 + rng.randint(0, 59)
                iso, ep_s = clock.at(day, sec)
                counters["ci"] += 1
                ci_id = f"{cid}-ci-{counters['ci']:06d}"
                s_here = stress if (ev or si == 0) else int(_clamp(stress + rng.randint(-2, 1), 0, 10))
                rec = {"checkin_id": ci_id, "at": iso, "mood": mood, "stress": s_here}
                if rng.random() > 0.05:
                    rec["energy"] = energy
                if not ev or rng.random() > 0.15:
                    rec["sleep_hours"] = sleep
                if rng.random() > 0.04:
                    rec["emotions"] = _emotions(rng, s_here, mood, day_theme)
                rec["body"] = _body(rng, W, s_here)
                note_p = eng["note"] * (1.6 if ep else 1.0)
                forced_note = note_events[0] if (note_events and si == len(slots) - 1) else None
                if forced_note or (si == len(slots) - 1 and rng.random() < note_p):
                    text, lab = _note(rng, W, P, day_theme, ep, ep_k, state, practice_kind, rec, forced_note)
                    rec["note"] = text
                    if with_truth:
                        truth.append((ep_s, ("note", ci_id, cid, "", lab["theme"], ep_id if lab["theme"] == (ep or {}).get("theme") else "",
                                             lab["insight"], lab["risk"], lab["decoy"], "false")))
                checkins.append((ep_s, rec))

        # --- conversations
        conv_events = [e for e in f_events if e[2] == "message"]
        n_conv = 0
        if conv_events or (ep and ep_k == 0 and rng.random() < 0.88) or (ep and ep_k == ep["days"] - 1 and ep_k > 0 and rng.random() < 0.5):
            n_conv = 1
        elif rng.random() < conv_rate * (0.3 if gaps[d] else 1.0):
            n_conv = 1
        if n_conv:
            kind = "normal"
            if ep and ep_k == 0:
                kind = "trigger"
            elif ep and ep_k == ep["days"] - 1 and ep_k > 0:
                kind = "resolve"
            elif stress <= 3 and rng.random() < 0.5:
                kind = "good"
            special = conv_events[0] if conv_events else None
            sec = (rng.randint(19 * 60, 22 * 60 + 50) if rng.random() < 0.75 else rng.randint(12 * 60, 13 * 60 + 40)) * 60
            sec += rng.randint(0, 59)
            counters["cv"] += 1
            conv, rows, prac = _conversation(rng, W, P, clock, day, sec, counters["cv"], day_theme, ep, kind, state,
                                             practice_kind if kind in ("trigger", "normal") else None, special, raw, new_practice)
            convs.append(conv)
            if prac:
                practice_kind = None
            if with_truth:
                truth.extend(rows)
        if practice_kind:
            sec = (rng.randint(18 * 60, 22 * 60) if rng.random() < 0.7 else rng.randint(7 * 60, 12 * 60)) * 60 + rng.randint(0, 59)
            new_practice(day, sec, practice_kind, stress)

    checkins.sort(key=lambda x: x[0])
    convs.sort(key=lambda x: x[0])
    practices.sort(key=lambda x: x[0])
    truth.sort(key=lambda x: x[0])
    out = _exports(rng, P, clock, start, end, checkins, convs, practices, with_truth)
    out["appointments"] = _appointments(rng, P, clock, start, end, out["consent_epoch"])
    for ep in episodes:
        ep["start_date"] = (start + timedelta(days=ep.pop("start_day"))).isoformat()
        ep["trigger"] = T.THEMES[ep["theme"]]["trigger"][ep["trigger"]][1]
    out["episodes"] = episodes
    if with_truth:
        included = out["included"]
        rev = out["revised_text"]
        rows = []
        for _, row in truth:
            key = row[1] if row[0] != "message" else row[3]
            if key in included:
                rows.append(row)
        out["truth"] = rows
        out["revised_text"] = rev
    out["counts"] = {"checkins": len(checkins), "conversations": len(convs), "practices": len(practices),
                     "messages": sum(len(c[2]["messages"]) for c in convs if "messages" in c[2])}
    return out


def _emotions(rng, stress: int, mood: int, theme: str) -> list[dict]:
    pools = []
    if stress >= 6:
        pools.append((T.EMO_STRESS + T.THEMES[theme]["emotions"], True))
    if mood <= -1:
        pools.append((T.EMO_LOW + T.THEMES[theme]["emotions"], True))
    if mood >= 1 and stress <= 4:
        pools.append((T.EMO_POS, False))
    if not pools:
        pools.append((T.EMO_MID + (T.EMO_POS if mood >= 0 else T.EMO_STRESS), None))
    out, seen = [], []
    for _ in range(rng.randint(1, 3)):
        pool, neg = pools[rng.randrange(len(pools))]
        label = pool[rng.randrange(len(pool))]
        if label in seen:
            continue
        seen.append(label)
        if neg is True:
            inten = stress + rng.randint(-2, 1) if stress >= 6 else 4 - mood + rng.randint(-1, 2)
        elif neg is False:
            inten = 4 + 1.5 * mood + rng.randint(-1, 2)
        else:
            inten = rng.randint(3, 6)
        out.append({"label": label, "intensity": int(_clamp(round(inten), 1, 10))})
    return out


def _body(rng, W: Writer, stress: int) -> list[dict]:
    if stress >= 6 or (stress >= 4 and rng.random() < 0.3):
        pairs = []
        for _ in range(1 if stress < 7 else rng.randint(1, 2)):
            p = W.body_pair()
            if p not in pairs:
                pairs.append(p)
        return [{"location": l, "sensation": s,
                 "intensity": int(_clamp(stress + rng.randint(-2, 0) if stress >= 6 else rng.randint(3, 5), 1, 10))}
                for l, s in pairs]
    return []


def _label(theme="", insight="none", risk="none", decoy="false") -> dict:
    return {"theme": theme, "insight": insight, "risk": risk, "decoy": decoy}


def _note(rng, W: Writer, P, theme, ep, ep_k, state, practice_kind, rec, forced) -> tuple[str, dict]:
    ppl = P["people"]
    if forced:
        if forced[0] == "risk":
            level = forced[1]
            if level == "urgent":
                return W.finish(T.fill(rng, URGENT_NOTE, {}, ppl), False, tail=False), _label(theme, risk="urgent")
            text = W.fill(T.pick(rng, WATCH_LEAD), None) + " " + T.pick(rng, WATCH)
            return W.finish(text, False, tail=False), _label(theme, risk="watch")
        text = T.fill(rng, DECOYS[forced[1]][1], {}, ppl)
        return W.finish(text + " " + W.line(theme, "note"), False, tail=False), _label(theme, decoy="true")
    x = rng.random()
    label = _label(theme)
    if ep:
        theme = ep["theme"]
        label = _label(theme)
        if ep_k == 0:
            text = W.fill(T.THEMES[theme]["trigger"][ep["trigger"]][0], theme)
            if rec["body"] and rng.random() < 0.6:
                b = rec["body"][0]
                text += " " + T.pick(rng, T.BODY_SHORT[(b["location"], b["sensation"])])
        elif ep_k == ep["days"] - 1 and rng.random() < 0.7:
            text = W.line(theme, "resolve")
        else:
            text = W.line(theme, T.pick(rng, ["implicit", "thought", "detail", "note"]))
    elif state["rhythm_day"] and x < 0.35:
        text = T.pick(rng, T.RHYTHM_LINES[P["weekday_rhythm"]])
        if rng.random() < 0.4:
            text += " " + W.line(theme, "note")
    elif practice_kind and x < 0.5:
        good = practice_kind in P["helpful_practices"]
        text = T.pick(rng, T.PRACTICE_NOTES[good]).replace("{kind_name}", T.PRACTICE_NAMES[practice_kind])
        text = text[:1].upper() + text[1:]
    elif state["stress"] <= 3 and x < 0.75:
        if rng.random() < 0.45:
            text = W.fill(T.pick(rng, T.NEUTRAL_NOTES), None)
            label = _label("")
        else:
            text = W.line(theme, "good")
    else:
        y = rng.random()
        key = "note" if y < 0.5 else "situation" if y < 0.75 else "implicit"
        text = W.line(theme, key)
        if rng.random() < 0.08:  # a longer entry
            text += " " + W.line(theme, "detail") + " " + W.line(theme, "thought") + " " + W.feeling(theme, state["stress"])
        elif rng.random() < 0.25:
            text += " " + W.feeling(theme, state["stress"])
    if rec["body"] and not ep and rng.random() < 0.2:
        b = rec["body"][0]
        text += " " + T.pick(rng, T.BODY_SHORT[(b["location"], b["sensation"])])
    if label["theme"] and rng.random() < 0.035:
        explicit = rng.random() < 0.5
        text += " " + W.insight(label["theme"], explicit)
        label["insight"] = "explicit" if explicit else "subtle"
    return W.finish(text), label


def _guide(rng, W: Writer, prompt: str, prev: str | None, used: list[str], midday: bool, kind: str | None = None) -> str:
    """The guide's next line; never the same prompt twice in a conversation, no "tonight" at lunchtime."""
    if prompt == "suggest":
        return T.pick(rng, SUGGEST[kind])

    def choose(key):
        options = [x for x in GUIDE[key] if x not in used and not (midday and ("tonight" in x or "evening" in x))]
        x = T.pick(rng, options or GUIDE[key])
        used.append(x)
        return x

    if prev in ("insight_explicit", "insight_subtle"):
        return choose("insight_ack") + " " + choose(prompt) if prompt != "close" else choose("insight_ack")
    if prompt in ("feeling", "body", "thought", "detail", "insight") and rng.random() < 0.45:
        return choose("reflect") + " " + choose(prompt)
    return choose(prompt)


RETRYABLE = ("feeling", "thought", "detail", "implicit", "body", "situation", "helped", "drift")
_SPLIT = re.compile(r"[.!?]+")


def _sentences(text: str) -> list[str]:
    return [x.strip().lower() for x in _SPLIT.split(text) if x.strip()]


def _repeats(text: str, used: list[str]) -> bool:
    return any(x in used for x in _sentences(text))


PROMPT_FOR = {"feeling": "feeling", "body": "body", "thought": "thought", "detail": "detail", "implicit": "detail",
              "insight_explicit": "insight", "insight_subtle": "insight", "outcome": "outcome", "drift": "drift_in",
              "decoy": "detail", "risk": "feeling", "thanks": "close", "drift_more": "detail", "helped": "good"}


def _conversation(rng, W: Writer, P, clock: Clock, day, sec, n, theme, ep, kind, state, practice_kind, special, raw,
                  new_practice):
    cid = P["client_id"]
    conv_id = f"{cid}-cv-{n:05d}"
    themes = P["themes"]
    stress = state["stress"]
    if kind in ("trigger", "resolve"):
        theme = ep["theme"]
    ep_id = ep["episode_id"] if ep else ""
    # ---- plan the client's moves: (move, theme)
    moves: list[tuple[str, str | None]] = []
    if rng.random() < 0.22:
        moves.append(("greet", None))
    if kind in ("trigger", "resolve", "good"):
        moves.append((kind, theme))
    elif state["rhythm_day"] and rng.random() < 0.4:
        moves.append(("rhythm", theme))
    else:
        moves.append(("implicit" if rng.random() < 0.3 else "situation", theme))
    mid_pool = ["feeling", "feeling", "thought", "thought", "detail", "detail", "implicit"] + ["body"] * (3 if stress >= 6 else 1)
    n_mid = rng.choice([1, 1, 2, 2, 3, 3])
    if kind in ("good", "resolve"):
        moves.append(("helped", theme))
        mid_pool = ["detail", "feeling", "feeling"]
        n_mid = rng.choice([0, 1, 1])
    for _ in range(n_mid):
        m = mid_pool[rng.randrange(len(mid_pool))]
        if kind == "trigger" and "body" not in [x[0] for x in moves]:
            m = "body" if rng.random() < 0.6 else m
        moves.append((m, theme))
    drift_theme = None
    if kind == "normal" and len(themes) > 1 and rng.random() < 0.2:
        drift_theme = T.pick(rng, [x for x in themes if x != theme])
        moves.append(("drift", drift_theme))
        if rng.random() < 0.5:
            moves.append((rng.choice(["detail", "thought", "feeling"]), drift_theme))
    risk_level = "none"
    if special and special[0] == "risk":
        risk_level = special[1]
        moves = moves[:3]
        moves.append(("risk", theme))
        practice_kind = None
    elif special and special[0] == "decoy":
        at = 1 + rng.randrange(len(moves))
        moves.insert(min(at, len(moves)), ("decoy", theme))
    if practice_kind:
        moves.append(("coping", theme))
        moves.append(("outcome", theme))
    p_ins = P["insightfulness"] * (1 + state["t"] if P["trajectory"] in ("improving", "crisis_recovery") else 1)
    if risk_level == "none" and rng.random() < p_ins:
        content = [i for i, mv in enumerate(moves) if mv[0] not in ("greet",)]
        at = content[0] + 1 + rng.randrange(len(moves) - content[0])
        mv_theme = moves[min(at, len(moves)) - 1][1] or theme
        moves.insert(at, ("insight_explicit" if rng.random() < 0.55 else "insight_subtle", mv_theme))
    while len(moves) > 6:  # at most 6 client turns (12 messages)
        for i in range(len(moves) - 1, 0, -1):
            if moves[i][0] in ("feeling", "thought", "detail", "implicit", "body"):
                del moves[i]
                break
        else:
            del moves[-1]
    while sum(1 for mv in moves if mv[0] != "greet") < 2:
        moves.append((rng.choice(["feeling", "thought", "detail"]), theme))
    if risk_level == "none" and rng.random() < 0.45 and len(moves) < 6:
        moves.append(("thanks", None))
    elif risk_level != "none" and risk_level != "recovery":
        moves.append(("safe", None))

    # ---- realize
    started_iso, t0 = clock.at(day, sec)
    msgs, rows = [], []
    t = t0
    body_used = None
    practice_rec = None
    helped = None
    prev = None
    j = 0
    used: list[str] = []
    used_g: list[str] = []
    midday = sec < 17 * 3600
    for i, (move, mtheme) in enumerate(moves):
        if i > 0:  # the guide's turn before this client move
            t += rng.randint(6, 30)
            if move == "safe":
                g = RISK_RESPONSE[risk_level][0].replace("{crisis}", P["people"]["crisis"])
            elif move == "coping":
                g = _guide(rng, W, "suggest", prev, used_g, midday, practice_kind)
            elif prev == "greet":
                g = T.pick(rng, GUIDE["after_filler"])
                used_g.append(g)
            elif move == "drift":
                g = T.pick(rng, GUIDE["reflect"]) + " " + T.pick(rng, ["Is there anything else on your mind?",
                                                                       "What else is going on for you this week?",
                                                                       "Is anything else weighing on you?"])
            elif move == "resolve":
                g = T.pick(rng, GUIDE["resolve"])
            elif prev == "helped":
                g = T.pick(rng, GUIDE["helped_followup"])
            else:
                g = _guide(rng, W, PROMPT_FOR.get(move, "detail"), prev, used_g, midday)
            j += 1
            if raw:
                msgs.append({"message_id": f"{cid}-m-{n:05d}{j:02d}", "at": clock.iso(t), "role": "guide", "text": g})
        # client's turn
        label = _label(mtheme or "")
        filler = "false"
        allow_typo = True
        r = rng
        for _attempt in range(4):  # avoid repeating a sentence within one conversation
            if not raw:  # summary scope: no message text is exported, only what the summary needs
                text = ""
                if move == "body":
                    body_used = W.body_pair()
            elif move == "greet":
                text, filler = T.pick(r, T.GREET), "true"
            elif move == "thanks":
                text, filler = T.pick(r, T.THANKS), "true"
                if helped is not None and helped and r.random() < 0.5:
                    text = T.pick(r, ["thanks, that helped", "thank you, that actually helped", "ok thanks, feeling a bit better"])
            elif move == "situation":
                text = W.react(W.line(mtheme, "situation"), mtheme, 0.3)
                if text.count(",") < 2 and r.random() < P["style"]["verbose"]:
                    text += " " + (W.feeling(mtheme, stress) if r.random() < 0.5 else W.line(mtheme, "detail"))
            elif move == "trigger":
                text = W.react(W.fill(T.THEMES[mtheme]["trigger"][ep["trigger"]][0], mtheme), mtheme, 0.35)
                if r.random() < 0.6:
                    text += " " + W.feeling(mtheme, max(stress, 6))
            elif move == "resolve":
                text = W.line(mtheme, "resolve")
            elif move == "good":
                text = W.line(mtheme, "good")
                if r.random() < 0.5:
                    text += " " + W.feeling(mtheme, 2)
            elif move == "rhythm":
                text = T.pick(r, T.RHYTHM_LINES[P["weekday_rhythm"]])
                if r.random() < 0.6:
                    text += " " + W.line(mtheme, "situation")
            elif move == "implicit":
                text = W.line(mtheme, "implicit") if r.random() < 0.7 else W.fill(T.pick(r, T.IMPLICIT_GENERIC), mtheme)
                text = W.react(text, mtheme, 0.15)
                if r.random() < P["style"]["verbose"] * 0.6:
                    text += " " + W.feeling(mtheme, stress)
            elif move == "feeling":
                text = W.feeling(mtheme, stress)
                if r.random() < P["style"]["verbose"] * 0.5:
                    text += " " + W.fill(T.pick(r, T.THOUGHT), mtheme)
            elif move == "body":
                body_used = W.body_pair()
                text = W.fill(T.pick(r, T.BODY[body_used]), mtheme)
                if r.random() < 0.3:
                    text += " " + W.fill(T.pick(r, T.BODY[body_used]), mtheme)
            elif move == "helped":
                text = W.fill(T.pick(r, T.HELPED), mtheme)
            elif move == "thought":
                text = W.line(mtheme, "thought") if r.random() < 0.6 else W.fill(T.pick(r, T.THOUGHT), mtheme)
            elif move == "detail":
                text = W.line(mtheme, "detail") if r.random() < 0.65 else W.fill(T.pick(r, T.DETAIL_GENERIC), mtheme)
            elif move == "drift":
                text = T.pick(r, T.DRIFT) + " " + _lower_first(W.line(mtheme, "situation"), W.keep)
            elif move in ("insight_explicit", "insight_subtle"):
                text = W.insight(mtheme, move == "insight_explicit")
                label["insight"] = "explicit" if move == "insight_explicit" else "subtle"
            elif move == "coping":
                text = W.fill(T.pick(r, T.COPING[practice_kind]), mtheme)
            elif move == "outcome":
                text = T.pick(r, T.OUTCOME_HELPED if helped else T.OUTCOME_NOT)
            elif move == "decoy":
                text = T.fill(r, DECOYS[special[1]][1], {}, P["people"])
                label["decoy"] = "true"
                allow_typo = False
            elif move == "risk":
                allow_typo = False
                if risk_level == "watch":
                    text = W.fill(T.pick(r, WATCH_LEAD), None) + " " + T.pick(r, WATCH)
                elif risk_level == "urgent":
                    text = T.pick(r, URGENT_MESSAGE)
                else:
                    text = W.fill(T.pick(r, RECOVERY), None)
                label["risk"] = risk_level if risk_level in ("watch", "urgent") else "none"
            elif move == "safe":
                text = W.fill(T.pick(r, T.SAFE_REPLY), None)
            else:  # pragma: no cover
                raise ValueError(move)
            if not raw or move not in RETRYABLE or not _repeats(text, used):
                break
        used.extend(_sentences(text))
        if filler == "true":
            label["theme"] = ""
        t += rng.randint(15, 50) + (len(text) // 3 if raw else 40)
        j += 1
        mid = f"{cid}-m-{n:05d}{j:02d}"
        if raw:
            first = i == 0 or moves[i - 1][0] == "greet"
            text = W.finish(text, allow_typo, opener=first and filler == "false",
                            leadin=not first and move in ("feeling", "thought", "detail", "implicit", "body"),
                            tail=filler == "false" and move not in ("safe", "risk", "decoy"))
            msgs.append({"message_id": mid, "at": clock.iso(t), "role": "client", "text": text})
            rows.append((t, ("message", mid, cid, conv_id, label["theme"],
                             ep_id if label["theme"] and label["theme"] == (ep or {}).get("theme") else "",
                             label["insight"], label["risk"], label["decoy"], filler)))
        if move == "coping":  # the practice starts right after this message; the outcome comes after it
            day0 = datetime.fromtimestamp(t + 20, clock.tz)
            midnight = datetime(day0.year, day0.month, day0.day, tzinfo=clock.tz)
            practice_rec, dur, helped = new_practice(day0.date(), int((day0 - midnight).total_seconds()), practice_kind,
                                                     stress)
            t += dur * 60 + rng.randint(30, 120)
        prev = move
    if raw and moves[-1][0] not in ("thanks", "greet") and rng.random() < 0.6:
        t += rng.randint(6, 25)
        j += 1
        msgs.append({"message_id": f"{cid}-m-{n:05d}{j:02d}", "at": clock.iso(t), "role": "guide",
                     "text": _guide(rng, W, "close", prev, used_g, midday)})

    # ---- title and summary (written by the app)
    tb = T.THEMES[theme]
    title = W.fill(T.pick(rng, tb["titles"]), theme)
    if kind == "trigger":
        topic = tb["trigger"][ep["trigger"]][1]
    else:
        topic = T.pick(rng, tb["topics"])
    if kind == "resolve":
        summary = T.pick(rng, T.SUMMARY_RESOLVE).replace("{topic}", topic)
    elif kind == "good":
        summary = T.pick(rng, T.SUMMARY_GOOD).replace("{topic}", topic)
    else:
        summary = f"{T.pick(rng, T.SUMMARY_VERBS)} {topic}"
        if body_used:
            summary += " and " + T.pick(rng, T.SUMMARY_BODY[body_used])
        if practice_rec:
            summary += "; " + T.SUMMARY_PRACTICE[practice_kind] + ", " + T.pick(rng, T.SUMMARY_HELPED[bool(helped)])
        summary += "."
    if drift_theme:
        summary += " " + T.pick(rng, T.SUMMARY_DRIFT).replace("{topic}", T.pick(rng, T.THEMES[drift_theme]["topics"]))
    if risk_level in ("watch", "urgent"):
        summary += " " + T.SUMMARY_RISK[risk_level][0]
    conv = {"conversation_id": conv_id, "started_at": started_iso, "title": title, "summary": summary}
    if raw:
        conv["messages"] = msgs
    rows.append((t0, ("summary", conv_id, cid, conv_id, theme, ep_id, "none",
                      risk_level if risk_level in ("watch", "urgent") else "none", "false", "false")))
    return (t0, t, conv), rows, practice_rec


# ---------------------------------------------------------------------------- exports

def _app_version(day: date, end: date) -> str:
    v = APP_VERSIONS[0][1]
    for off, ver in APP_VERSIONS:
        if day >= end + timedelta(days=off):
            v = ver
    return v


def _exports(rng, P, clock: Clock, start: date, end: date, checkins, convs, practices, with_truth: bool) -> dict:
    cid = P["client_id"]
    # consent: the appointment before the first day of data
    appt = P["appointments"]
    consent_day = start - timedelta(days=1)
    while consent_day.weekday() != appt["weekday"]:
        consent_day -= timedelta(days=1)
    consent_iso, consent_epoch = clock.at(consent_day, appt["hour"] * 3600 + appt["minute"] * 60 + 40 * 60 + rng.randint(0, 599))

    dates = []
    d = start + timedelta(days=rng.randint(14, 28))
    while d < end:
        dates.append(d)
        d += timedelta(days=rng.randint(14, 28))
    if dates and (end - dates[-1]).days < 7:
        dates[-1] = end
    else:
        dates.append(end)

    ci_keys = [x[0] for x in checkins]
    cv_keys = [x[0] for x in convs]
    pr_keys = [x[0] for x in practices]
    scope = P["share_scope"]
    client = {"client_id": cid, "display_name": P["display_name"], "timezone": P["timezone"], "birth_year": P["birth_year"]}
    provider = {"provider_id": P["provider_id"], "name": provider_name(int(P["provider_id"][2:]))}
    new_format = rng.random() < 0.35
    platform = "ios" if rng.random() < 0.55 else "android"

    # the revised record: a check-in with a note, in the overlap of exports k and k+1
    revision = None
    windows = []
    prev_end = None
    for k, ed in enumerate(dates):
        if k == 0:
            ps_iso, ps = clock.at(start, 0)
        else:
            sd = max(start, prev_end - timedelta(days=rng.randint(7, 14)))
            ps_iso, ps = clock.at(sd, 0)
            prev_pe = windows[-1][4]
            last = bisect.bisect_right(ci_keys, prev_pe) - 1
            if last >= 0 and ci_keys[last] < ps:  # overlap would hold no check-in (a gap): reach back to one
                sd = datetime.fromtimestamp(ci_keys[last], clock.tz).date()
                ps_iso, ps = clock.at(sd, 0)
        if ed == end:
            pe_iso, pe = clock.at(ed, 23 * 3600 + 50 * 60 + rng.randint(0, 539))
        else:
            pe_iso, pe = clock.at(ed, rng.randint(7 * 3600, 22 * 3600))
        windows.append((ed, ps_iso, ps, pe_iso, pe))
        prev_end = ed
    if P["revision"] and len(windows) >= 2:
        k = 1 if len(windows) >= 3 else 0
        lo = bisect.bisect_left(ci_keys, windows[k + 1][2])
        hi = bisect.bisect_right(ci_keys, windows[k][4])
        for i in range(lo, hi):
            rec = checkins[i][1]
            if rec.get("note") and len(rec["note"]) > 20:
                new = dict(rec)
                new["stress"] = int(_clamp(rec["stress"] + 2, 0, 10))
                new["note"] = rec["note"] + " Adding this later: it was worse than I wrote, I was shaking after."
                revision = {"index": i, "after": k, "record": new, "old": rec}
                break

    exports, included = [], {}
    summary_convs = {}
    for k, (ed, ps_iso, ps, pe_iso, pe) in enumerate(windows):
        cis = [x[1] for x in checkins[bisect.bisect_left(ci_keys, ps):bisect.bisect_right(ci_keys, pe)]]
        if revision and k > revision["after"]:
            rid = revision["record"]["checkin_id"]
            cis = [revision["record"] if c["checkin_id"] == rid else c for c in cis]
        cvs = []
        for t0, t1, conv in convs[bisect.bisect_left(cv_keys, ps):bisect.bisect_right(cv_keys, pe)]:
            if t1 <= pe:
                cvs.append(conv)
        prs = [x[1] for x in practices[bisect.bisect_left(pr_keys, ps):bisect.bisect_right(pr_keys, pe)]]
        version = _app_version(ed, end)
        export_id = f"exp-{cid}-{ed.isoformat()}"
        doc = {"format": "client-export", "format_version": "1.0", "export_id": export_id, "exported_at": pe_iso,
               "source_app": {"name": "companion", "version": version}, "client": client, "provider": provider,
               "share": {"scope": scope, "consented_at": consent_iso, "period": {"start": ps_iso, "end": pe_iso}}}
        if new_format and version >= "4.3.0":
            doc["format_version"] = "1.1"
            doc["device"] = {"platform": platform, "locale": "en-US" if P["timezone"].startswith("America/") else "en-GB"}
        doc["checkins"] = cis
        doc["conversations"] = cvs
        doc["practices"] = prs
        exports.append((f"exports/{cid}/{export_id}.json", doc))
        if with_truth:
            for c in cis:
                included[c["checkin_id"]] = True
            for c in cvs:
                included[c["conversation_id"]] = True
    rev_row = None
    if revision:
        rid = revision["record"]["checkin_id"]
        old_e = exports[revision["after"]][1]["export_id"]
        new_e = exports[revision["after"] + 1][1]["export_id"]
        rev_row = {"client_id": cid, "source": "checkin", "source_id": rid, "old_export_id": old_e,
                   "new_export_id": new_e, "changed": "note,stress"}
    return {"exports": exports, "included": included, "revision": rev_row, "consent_epoch": consent_epoch,
            "consent_day": consent_day,
            "revised_text": {revision["record"]["checkin_id"]: revision["record"]["note"]} if revision else {}}


def _appointments(rng, P, clock: Clock, start: date, end: date, consent_epoch) -> list[tuple[str, str, str]]:
    appt = P["appointments"]
    step = 7 if appt["cadence"] == "weekly" else 14
    d = start - timedelta(days=1)
    while d.weekday() != appt["weekday"]:
        d -= timedelta(days=1)
    rows = []
    first = True
    while d <= end + timedelta(days=14):
        if first or rng.random() > 0.06:
            iso, _ = clock.at(d, appt["hour"] * 3600 + appt["minute"] * 60)
            rows.append((P["client_id"], P["provider_id"], iso))
        first = False
        d += timedelta(days=step)
    return rows


# ---------------------------------------------------------------------------- public API

def _personas(n_clients, n_providers, n_days, seed, end):
    first_day = end - timedelta(days=n_days - 1)
    for index in range(1, n_clients + 1):
        yield make_persona(index, seed, n_providers, first_day, n_days)


def iter_exports(n_clients: int, n_days: int, seed: int = 7, end=DEFAULT_END, n_providers: int | None = None):
    """Yield ``(relative_path, export_dict)`` for a generated caseload, writing nothing."""
    end_d = _parse_end(end)
    if n_providers is None:
        n_providers = max(3, round(n_clients / 8))
    for P in _personas(n_clients, n_providers, n_days, seed, end_d):
        out = simulate_client(P, end_d, seed, with_truth=False)
        yield from out["exports"]


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _public_persona(P: dict, out: dict) -> dict:
    keep = ["client_id", "display_name", "birth_year", "timezone", "provider_id", "share_scope", "start_date",
            "themes", "trajectory", "weekday_rhythm", "body_responses", "helpful_practices", "unhelpful_practices",
            "engagement", "checkin_time", "appointments", "risk_role", "decoy", "revision"]
    d = {k: P[k] for k in keep}
    d["people"] = {k: v for k, v in P["people"].items() if k in ("boss", "coworker", "ex", "friend", "sib", "sib_rel",
                                                                  "cared", "lost", "kid")}
    d["people"]["boss"] = P["people"]["boss"][1]
    d["style"] = P["style"]
    d["episodes"] = out["episodes"]
    d["exports"] = len(out["exports"])
    return d


INVALID_NAME = "c-0099-bad-stress.json"


def generate(out_dir=HERE, n_clients: int = 24, n_providers: int = 3, n_days: int = 200, seed: int = 7,
             end=DEFAULT_END) -> dict:
    """Write the whole sample into ``out_dir``; returns counts."""
    out_dir = Path(out_dir)
    end_d = _parse_end(end)
    for sub in ("exports", "invalid"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    appointments, truth, personas, revisions = [], [], [], []
    counts = {"clients": 0, "exports": 0, "checkins": 0, "conversations": 0, "messages": 0, "practices": 0, "bytes": 0}
    for P in _personas(n_clients, n_providers, n_days, seed, end_d):
        out = simulate_client(P, end_d, seed, with_truth=True)
        for rel, doc in out["exports"]:
            path = out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            data = _dumps(doc).encode("utf-8")
            path.write_bytes(data)
            counts["exports"] += 1
            counts["bytes"] += len(data)
        appointments.extend(out["appointments"])
        truth.extend(out["truth"])
        if out["revision"]:
            revisions.append(out["revision"])
        personas.append(_public_persona(P, out))
        counts["clients"] += 1
        for k in ("checkins", "conversations", "messages", "practices"):
            counts[k] += out["counts"][k]

    def write_csv(name, header, rows):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        (out_dir / name).write_text(buf.getvalue(), encoding="utf-8")

    write_csv("appointments.csv", ["client_id", "provider_id", "starts_at"], appointments)
    write_csv("ground_truth.csv", ["source", "source_id", "client_id", "conversation_id", "theme", "episode_id",
                                   "insight", "risk", "decoy", "filler"], truth)
    write_csv("revisions.csv", ["client_id", "source", "source_id", "old_export_id", "new_export_id", "changed"],
              [[r[k] for k in ("client_id", "source", "source_id", "old_export_id", "new_export_id", "changed")]
               for r in revisions])
    providers = [{"provider_id": f"p-{i:03d}", "name": provider_name(i)} for i in range(1, n_providers + 1)]
    meta = {"seed": seed, "end": end_d.isoformat(), "days": n_days, "providers": providers, "clients": personas}
    (out_dir / "personas.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    # the invalid example: a realistic export of an extra client with checkins[3].stress = "high"
    first_day = end_d - timedelta(days=n_days - 1)
    bad = make_persona(99, seed, n_providers, first_day, n_days, force_raw=True)
    bad_out = simulate_client(bad, end_d, seed, with_truth=False, clip_days=40)
    best = max(bad_out["exports"], key=lambda e: len(e[1]["checkins"]))
    doc = json.loads(_dumps(best[1]))
    doc["checkins"][3]["stress"] = "high"
    (out_dir / "invalid").mkdir(parents=True, exist_ok=True)
    (out_dir / "invalid" / INVALID_NAME).write_bytes(_dumps(doc).encode("utf-8"))
    counts["ground_truth_rows"] = len(truth)
    counts["revisions"] = len(revisions)
    return counts


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--clients", type=int, default=24)
    ap.add_argument("--providers", type=int, default=3)
    ap.add_argument("--days", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--end", default=DEFAULT_END)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(a.out, a.clients, a.providers, a.days, a.seed, a.end)
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
