"""Text banks and the small grammar that composes client writing from them.

Every string here was written for Interlude's sample data. Templates carry ``{slot}``
placeholders filled from, in order: the persona's fixed people and words (a manager's
name, "mum" or "mom", the currency), the theme's own slots, then GLOBAL_SLOTS below.
A filled value may itself carry placeholders (one more pass fills them).

Theme banks live in text_themes_a.py / text_themes_b.py, the guide's lines in
text_guide.py. Nothing outside the risk and decoy banks (text_risk.py) may contain words
a keyword screen for self-harm would catch.
"""

from __future__ import annotations

import re

from sample_data.text_themes_a import THEMES_A
from sample_data.text_themes_b import THEMES_B
from sample_data.text_themes_more import MORE, MORE_2

THEMES: dict[str, dict] = {**THEMES_A, **THEMES_B}
for _more in (MORE, MORE_2):
    for _slug, _extra in _more.items():
        for _key, _lines in _extra.items():
            THEMES[_slug][_key] = THEMES[_slug][_key] + _lines
THEME_SLUGS: list[str] = list(THEMES)

# ------------------------------------------------------------------ global slots

GLOBAL_SLOTS: dict[str, list[str]] = {
    "when": ["today", "this morning", "last night", "yesterday", "earlier", "this afternoon",
             "tonight", "after lunch", "at the weekend", "first thing"],
    "time_span": ["all day", "all evening", "since lunch", "the whole afternoon", "since I woke up",
                  "for hours", "since this morning", "the entire drive home", "all week"],
    "night_time": ["3am", "2:40", "just after 3", "4am", "half 4", "around 2", "3:15", "ten to 4",
                   "quarter past 3"],
    "late_time": ["9pm", "10", "half ten", "almost 11", "8:30", "nearly midnight", "9:45"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "deadline_day": ["Thursday", "Friday", "tomorrow", "Monday", "the end of the week", "the 15th",
                     "Wednesday morning", "next Tuesday"],
    "months": ["two months", "three months", "six weeks", "four months", "almost five months"],
    "minutes": ["ten minutes", "twenty minutes", "half an hour", "an hour", "forty minutes"],
    "small_num": ["two", "three", "four", "five"],
    "place_home": ["the kitchen", "the sofa", "bed", "the bathroom floor", "the car", "the balcony"],
    "snack": ["toast", "a bowl of cereal", "crackers", "leftover rice", "a yoghurt", "half a sandwich"],
    "neg": ["anxious", "overwhelmed", "on edge", "flat", "wiped out", "tense", "scattered", "heavy",
            "drained", "jittery", "raw", "irritable", "numb", "wound up", "low", "sad", "shaky",
            "frazzled", "fragile", "stretched thin"],
    "pos": ["calm", "lighter", "okay", "steady", "relieved", "hopeful", "proud of myself", "rested",
            "grounded", "clear-headed", "settled", "content"],
}

# ------------------------------------------------------------------ generic client lines

FEELING = [
    "I feel {neg}.", "Honestly just {neg}.", "Mostly {neg}, and a bit {neg} underneath.", "I'm so {neg}, and I hate feeling like this.",
    "By {late_time} I was completely {neg}.", "Some mix of {neg} and {neg}.", "I'm running on {neg} and caffeine.",
    "I've been {neg} {time_span}.", "Kind of {neg} and I can't say why exactly.",
    "I'm {neg}, more than I expected to be.", "Feeling {neg} and a little {neg}.",
    "It's left me {neg}.", "Just {neg}, in a way that sits on everything.",
    "I went from fine to {neg} in about a minute.", "Somewhere between {neg} and {neg}.",
    "If I had to name it, {neg}.", "{neg}, mostly. Tired of being {neg}.",
    "I've felt {neg} since {when}.", "Underneath it all I think I'm {neg}.",
]
FEELING_POS = [
    "I feel {pos}.", "Actually {pos} today, which is new.", "Feeling {pos}, mostly.",
    "A bit {pos} for once.", "Weirdly {pos} considering everything.", "More {pos} than last week.",
    "I'd say {pos}, with a bit of tired mixed in.", "{pos}, and I'll take it.",
]

# (location, sensation) -> first-person descriptions
BODY: dict[tuple[str, str], list[str]] = {
    ("chest", "tightness"): [
        "My chest has been tight {time_span}.", "There's this band around my chest.",
        "It's like something heavy is sitting on my chest.", "My chest feels locked up, I can't get a full breath.",
        "Tight chest again, right in the middle.", "My breathing goes shallow and my chest clamps.",
        "Every time I think about it my chest squeezes.", "My chest got tight {when} and stayed that way.",
        "Chest is tight, like a fist around my ribs.", "I keep taking these big breaths that don't go all the way in.",
    ],
    ("stomach", "knot"): [
        "My stomach is in a knot.", "Couldn't eat, my stomach is all churned up.",
        "Felt sick before lunch and it hasn't gone.", "There's a knot under my ribs that won't loosen.",
        "My stomach dropped and stayed there.", "I had {snack} and even that felt like too much.",
        "Stomach's been flipping {time_span}.", "Kind of queasy, like before an exam.",
        "Skipped lunch, my stomach wouldn't have it.", "My stomach turned over {when} and hasn't settled.",
    ],
    ("jaw", "clenched"): [
        "My jaw is sore from clenching.", "Caught myself grinding my teeth again.",
        "Woke up with my jaw clamped shut.", "My jaw aches, I've been biting down without noticing.",
        "Teeth clenched {time_span}, my face actually hurts.", "I keep having to unclench my jaw on purpose.",
    ],
    ("shoulders", "tension"): [
        "My shoulders are up by my ears.", "Neck and shoulders feel like concrete.",
        "My upper back is one big knot.", "I keep rolling my shoulders and nothing shifts.",
        "Shoulders so tight I got a headache from it.", "I'm hunched over, I can feel it in my neck.",
        "My neck has been clicking every time I turn my head.", "Shoulders are right up, I only notice when I let them drop.",
    ],
    ("head", "pressure"): [
        "Headache right behind my eyes.", "My head feels like it's in a vice.",
        "Pressure in my temples {time_span}.", "Dull headache that won't budge.",
        "My head feels full, like cotton wool.", "That pressing feeling across my forehead again.",
        "Headache started {when} and it's still there.", "My temples are throbbing and the screen isn't helping.",
    ],
    ("throat", "lump"): [
        "There's a lump in my throat I can't swallow away.", "My throat went tight when I tried to talk.",
        "I could barely get words out, my throat closed up.", "Kept swallowing, it felt like something was stuck.",
        "Lump in my throat {time_span}.", "My throat tightened as soon as I started explaining it.",
        "I had to stop mid-sentence because my throat closed.",
    ],
    ("whole body", "restless"): [
        "I can't sit still, I keep getting up.", "Restless, like my whole body is buzzing.",
        "I've been pacing {place_home}.", "My legs won't stop bouncing.",
        "Everything feels jittery, like too much coffee but I didn't have any.",
        "I tidied the same shelf three times just to move.", "I've been up and down {time_span}, can't settle.",
        "Fidgety, picking at my nails, tapping everything.",
    ],
}
BODY_SHORT: dict[tuple[str, str], list[str]] = {
    ("chest", "tightness"): ["Chest tight.", "Tight chest all evening.", "Chest like a band."],
    ("stomach", "knot"): ["Stomach in knots.", "Couldn't eat much.", "Knot in my stomach."],
    ("jaw", "clenched"): ["Jaw sore.", "Clenching again.", "Teeth gritted all day."],
    ("shoulders", "tension"): ["Shoulders up to my ears.", "Neck is stiff.", "Shoulders aching."],
    ("head", "pressure"): ["Headache.", "Head pounding a bit.", "Pressure behind my eyes."],
    ("throat", "lump"): ["Lump in throat.", "Throat tight.", "Hard to swallow."],
    ("whole body", "restless"): ["Restless.", "Can't sit still.", "Jittery all over."],
}

THOUGHT = [
    "I keep replaying it.", "I know it's not rational but I can't shake it.",
    "My brain just won't switch off.", "Everything feels like too much at once.",
    "I keep going round in circles.", "It's like my mind is ten steps ahead expecting the worst.",
    "I tell myself it's fine and then I'm back at the start.", "I can't stop running through what could go wrong.",
    "There's this voice going 'you should be coping better'.", "I feel like I'm always one thing away from falling behind.",
    "I don't know why this one got to me so much.", "It's the not knowing that gets me.",
    "I keep rehearsing conversations that haven't happened yet.", "I feel like I'm failing at something but I can't say what.",
    "My head keeps jumping to the worst version of everything.", "It's like there's a radio on in my head I can't turn off.",
    "I'm waiting for the other shoe to drop.", "I keep telling myself I'm overreacting, which doesn't help either.",
    "I'd like one day where I don't have to be 'on'.", "I can't tell if I'm tired or sad or both.",
    "Every little thing feels like proof that I'm not coping.", "I keep thinking I should have seen it coming.",
    "I don't want to be a burden to anyone with this.", "It feels so much bigger at night than in the morning.",
    "I think I'm more tired than I'm letting myself admit.", "Part of me wants to just hide until it passes.",
]
DETAIL_GENERIC = [
    "I ended up eating {snack} standing at the counter.", "I sat in the car for {minutes} before going inside.",
    "I put a show on and didn't watch any of it.", "I answered everyone with 'fine' all day.",
    "My tea went cold twice.", "I kept picking up my phone and putting it down.",
    "I lay on {place_home} for a while staring at nothing.", "I cancelled the gym, again.",
    "I snapped at my {mate} over the dishes.", "It was raining and somehow that made it worse.",
    "I stood in the shower until the hot water ran out.", "I made a to-do list and then just looked at it.",
    "I walked to the shop and forgot what I went for.", "I had three half-drunk cups of tea on the desk by {late_time}.",
    "I left my lunch in the fridge at work and didn't notice till evening.", "I sat on {place_home} in my coat for {minutes}.",
    "I put the radio on just so it wasn't silent.", "I reheated the same coffee twice and drank neither.",
    "I skipped dinner and had {snack} at {late_time}.", "I texted {friend} 'all good' when it wasn't.",
    "The washing has been in the machine since yesterday.", "I watched the same episode twice without taking it in.",
]
IMPLICIT_GENERIC = [
    "Same as last week honestly.", "It happened again.", "I don't even know where to start.",
    "It's that thing again.", "You know the feeling.", "Still the same loop.",
    "Today was one of those days.", "Not great, not a disaster.", "It crept back in {when}.",
    "Yeah, that again.", "I thought I was past this bit.",
]
# Reactions joined to a short situation: "<situation>, and <reaction>."
REACTIONS = [
    "I just froze", "my chest went tight straight away", "I had to go and sit in the car for a bit", "I didn't say anything",
    "I felt about two inches tall", "I laughed it off but it stung", "I went quiet for the rest of the day",
    "I couldn't concentrate on anything after", "my face went hot", "I ended up scrolling for an hour to numb out",
    "I snapped at the next person who spoke to me", "I've felt sick about it since", "I cried in the toilets",
    "I pretended it was fine", "I ate a whole packet of biscuits", "I went for a walk just to get out",
    "I rang {friend} and couldn't explain why I was upset", "I kept my headphones in all afternoon",
    "it's been sitting on my chest {time_span}", "I went to bed at nine",
]
# Answers to "what do you think helped?"
HELPED = [
    "Honestly just talking it through.", "I think writing it down before bed.", "Not letting it sit for days this time.",
    "{friend} helped a lot, she just listened.", "Walking before bed every night this week.", "Saying it out loud in session.",
    "Doing the breathing before I opened anything.", "Getting some actual sleep for once.", "Asking for help earlier than usual.",
    "I stopped checking my phone after nine.", "Lowering the bar a bit, doing the minimum and calling it enough.",
    "Remembering it passed last time too.", "Spending time with {sib} at the weekend.", "Eating proper meals, weirdly.",
    "Telling someone instead of carrying it alone.",
]
# Lead-ins for a sentence in the middle of a conversation ("Honestly, <sentence>").
LEADINS = ["Honestly,", "The thing is,", "And", "But", "Plus", "Also", "I mean,", "Thing is,", "To be honest,",
           "And yeah,", "Basically", "Anyway,", "Tbh", "Like,", "And then", "Ugh and", "Mostly,", "If I'm honest,"]
TAILS = ["idk.", "anyway.", "if that makes sense.", "lol.", "I don't know.",
         "which is silly.", "ugh.", "so yeah.", "not sure that makes sense."]
OPENERS = ["ok so", "so", "ugh,", "honestly", "hey.", "not sure how to put this but", "long day.",
           "right,", "um", "ok.", "so basically"]

GREET = ["hi", "hey", "hi again", "evening", "morning", "hello", "hey there", "hi, me again", "hiya"]
THANKS = ["thanks", "thanks, that helped", "thank you", "ok thanks", "ok", "will do", "good night",
          "thanks, I'll try that", "ok I'm going to bed", "that's all for tonight", "yeah", "mm ok",
          "thank you, really", "ok, that's fair", "cheers", "thanks. night"]

# practice kind -> (client saying they'll do it / did it)
COPING: dict[str, list[str]] = {
    "box_breathing": ["Ok, trying the breathing now.", "I did the box breathing in the bathroom at work.",
                      "Did the four-in, hold, four-out thing a few rounds.", "Tried the square breathing with my eyes shut."],
    "body_scan": ["Doing the body scan now.", "Did the body scan lying on {place_home}.",
                  "Did the body scan before bed, the long one.", "Went through the body scan slowly, feet up."],
    "grounding_54321": ["Ok, five things I can see.", "Did the 5-4-3-2-1 thing on the bus.",
                        "Tried the grounding one, naming stuff around me.", "Did the counting things exercise, felt silly but did it."],
    "journaling": ["Going to write it out.", "Wrote it all out in my notebook.",
                   "Filled two pages just dumping everything.", "Wrote down what I'm actually worried about."],
    "walk": ["Going to walk round the block.", "Went for a walk around the block.",
             "Walked to the shop and back the long way.", "Took a walk without my phone."],
    "progressive_muscle_relaxation": ["Trying the tense-and-release one.", "Did the muscle relaxation thing, tensing and letting go.",
                                      "Did the progressive relaxation in bed.", "Worked through the muscle groups, feet up to face."],
    "guided_meditation": ["Putting on the meditation.", "Did the ten minute meditation.",
                          "Listened to the guided one with the rain sounds.", "Tried the meditation audio again."],
}
OUTCOME_HELPED = [
    "That actually helped, it loosened a bit.", "Felt calmer after, not fixed but calmer.",
    "It took the edge off.", "Better. Still there but quieter.", "Okay that helped more than I expected.",
    "My breathing slowed down, which was nice.", "I can think a bit straighter now.",
    "I'm going to remember that one.", "Less buzzy now.", "Yeah, that was good, I needed that.",
]
OUTCOME_NOT = [
    "Didn't really do anything tbh.", "I just got more restless trying to sit still.",
    "Honestly it made me more aware of how wound up I was.", "Meh. Same as before.",
    "I couldn't focus on it at all.", "Not for me I don't think.", "I tried, it just didn't land.",
    "Felt a bit pointless, sorry.", "Still wired.",
]

# Explicit insight markers; the core (from a theme's "insight" list) follows.
INSIGHT_MARKERS = [
    "I think I realize {core}.", "It makes sense now that {core}.", "I just noticed that {core}.",
    "Oh. I think I'm realizing {core}.", "I'm starting to see that {core}.",
    "It just clicked that {core}.", "I realized {when} that {core}.", "Huh, I never noticed before that {core}.",
]
INSIGHT_GENERIC = [
    "I only get this wound up when I feel like someone is judging me",
    "I go quiet exactly when I most need to say something",
    "I've been treating rest like something I have to earn",
    "the anxiety spikes before things, and the thing itself is usually fine",
    "I expect the worst so it can't surprise me",
    "my body knows I'm stressed before my head admits it",
]
SUBTLE_GENERIC = [
    "Maybe it's not the thing itself, it's what I think it says about me.",
    "Funny how it's always worse on the nights I skip dinner.",
    "I wonder if I'm more tired than stressed, or if it's the same thing.",
    "The days I say what I need are the days I sleep.",
    "Come to think of it, this started around the time everything else got busy.",
    "Maybe I keep busy so I don't have to sit with it.",
]
RHYTHM_LINES: dict[str, list[str]] = {
    "sunday_dread": ["Sunday evening and the dread is already here.", "It's only Sunday and I'm already counting tomorrow's meetings.",
                     "Sunday night feeling again.", "The weekend always ends around 4pm on Sunday for me.",
                     "Sunday scaries, right on schedule."],
    "monday_mornings": ["Monday morning, the alarm felt like a siren.", "Mondays. Took three snoozes to get up.",
                        "Monday again and I'm already behind.", "Woke up Monday with that heavy feeling."],
    "friday_relief": ["Friday. Shoulders finally came down.", "Made it to Friday.", "Friday evening, I can breathe.",
                      "Finally Friday, laptop closed."],
    "midweek_slump": ["Wednesday and I'm already out of gas.", "Midweek wall again.", "Thursday, running on empty.",
                      "It's only Wednesday?"],
}
RHYTHM_SUBTLE: dict[str, list[str]] = {
    "sunday_dread": ["Funny how I only feel like this on Sundays.", "Saturday I'm fine. It's always Sunday afternoon it starts."],
    "monday_mornings": ["It's always Monday mornings, never Monday evenings.", "By Monday lunchtime it's gone, it's just the mornings."],
    "friday_relief": ["I notice I hold my breath Monday to Friday and let it out on Friday night.",
                      "Weird that it lifts the second I leave on Fridays, like a switch."],
    "midweek_slump": ["It's always Wednesday when it catches up with me.", "Mondays I'm fine, it's Wednesdays that get me."],
}

NEUTRAL_NOTES = [
    "Nice dinner with {friend}.", "Rainy day, stayed in.", "Good run this morning.", "Cooked something proper for once.",
    "Quiet day.", "Watched a film, early night.", "Cleaned the {home}, felt good.", "Long walk in the sun.",
    "Tired but ok.", "Nothing much to report.", "Read for an hour before bed.", "Coffee with {friend}, we laughed a lot.",
    "Ordinary day. Fine.", "Finally fixed the wobbly shelf.", "Made soup. Good soup.", "Got some sun at lunch.",
    "Slept in, no regrets.", "Sorted the laundry mountain.", "Called {sib} for a bit.", "Early night.",
    "Bike ride along the canal.", "Baked bread, it actually rose.", "Swim before work, felt strong.", "Board games with {friend}.",
    "Tidied the {home} and lit a candle.", "Phoned {sib}, we laughed about old stuff.", "Yoga class, sore but good.",
    "Picnic lunch in the park.", "Finished my book.", "Farmers market with {friend}.",
]
PRACTICE_NOTES = {
    True: ["Did the {kind_name} before bed, helped.", "{kind_name} this evening, calmer after.",
           "Tried the {kind_name} again. Works for me.", "Did {kind_name}, felt the difference."],
    False: ["Tried the {kind_name}, didn't do much.", "{kind_name} again, still wired after.",
            "Did the {kind_name}, not sure it's for me.", "Gave {kind_name} a go. Meh."],
}
PRACTICE_NAMES = {
    "box_breathing": "box breathing", "body_scan": "body scan", "grounding_54321": "5-4-3-2-1 grounding",
    "journaling": "journaling", "walk": "walk", "progressive_muscle_relaxation": "muscle relaxation",
    "guided_meditation": "meditation",
}
DRIFT = ["Also, unrelated, but", "And on top of that", "Oh and", "Separate thing but", "Also",
         "The other thing is", "And then there's the other thing,"]
SAFE_REPLY = [  # a client's reply after the guide's safety message (no risk content)
    "I'm safe for now. I'll text my {sib_rel}.", "I'm not going to do anything tonight. I'll tell my therapist on Thursday.",
    "ok. I have the number saved.", "I'm at home, my {mate} is here.",
]
EVERYDAY_CONTEXT = [  # ordinary sentences for long notes
    "Long shift, inventory ran late.", "Ate leftover pasta standing up.", "The bus was twenty minutes late.",
    "Need to call about the car insurance tomorrow.", "Bought milk, forgot bread.", "Watered the plants finally.",
    "Did two loads of washing.", "Work was busy but fine.", "It rained on the way home.",
    "My neighbour's building work started again at 8.", "Paid the phone bill.",
]

# ------------------------------------------------------------------ emotions

EMO_STRESS = ["anxious", "overwhelmed", "tense", "worried", "nervous", "irritable", "frustrated", "restless", "stressed"]
EMO_LOW = ["sad", "lonely", "disappointed", "tired", "flat", "discouraged", "ashamed", "guilty", "hurt", "empty"]
EMO_POS = ["calm", "content", "grateful", "hopeful", "relieved", "proud", "happy", "peaceful", "rested", "optimistic"]
EMO_MID = ["okay", "tired", "bored", "neutral", "distracted", "pensive"]

# ------------------------------------------------------------------ summaries

SUMMARY_VERBS = ["Client described", "Client talked about", "Client reported", "Client shared",
                 "Client wrote about", "Client brought up", "Client reflected on"]
SUMMARY_BODY = {
    ("chest", "tightness"): ["noticed tightness in the chest", "described a tight chest"],
    ("stomach", "knot"): ["felt a knot in the stomach", "reported an unsettled stomach"],
    ("jaw", "clenched"): ["noticed jaw clenching", "reported a sore, clenched jaw"],
    ("shoulders", "tension"): ["reported tension in the shoulders", "noticed tight neck and shoulders"],
    ("head", "pressure"): ["described pressure in the head", "reported a tension headache"],
    ("throat", "lump"): ["felt a lump in the throat", "noticed throat tightness"],
    ("whole body", "restless"): ["felt restless throughout the body", "described whole-body restlessness"],
}
SUMMARY_PRACTICE = {
    "box_breathing": "tried box breathing", "body_scan": "did a body scan",
    "grounding_54321": "used the 5-4-3-2-1 grounding exercise", "journaling": "wrote in a journal",
    "walk": "went for a short walk", "progressive_muscle_relaxation": "practised progressive muscle relaxation",
    "guided_meditation": "did a guided meditation",
}
SUMMARY_HELPED = {True: ["which helped", "and felt calmer afterwards", "which eased the tension somewhat"],
                  False: ["without much relief", "but found it did not help", "which did not change much"]}
SUMMARY_DRIFT = ["The conversation also touched on {topic}.", "Later moved on to {topic}.",
                 "Also mentioned {topic}."]
SUMMARY_RESOLVE = ["Client followed up on {topic} and said it had eased.",
                   "Client reported that the situation around {topic} had settled.",
                   "Client checked back in about {topic}; things felt more manageable."]
SUMMARY_GOOD = ["Client described a calmer stretch and what has been helping with {topic}.",
                "Client reported progress with {topic} and felt more settled."]
SUMMARY_RISK = {
    "watch": ["Client expressed passive thoughts of not wanting to be here; the guide checked on safety and shared crisis resources."],
    "urgent": ["Client disclosed a plan and access to means; the guide shared emergency and crisis line information and urged contacting their therapist."],
}

# ------------------------------------------------------------------ grammar

_SLOT = re.compile(r"\{(\w+)\}")


def fill(rng, template: str, slots: dict, persona: dict) -> str:
    """Fill ``{slot}``s (two passes, for values that carry slots) and capitalise the start."""

    def repl(match):
        key = match.group(1)
        value = persona.get(key)
        if value is None:
            value = slots.get(key) or GLOBAL_SLOTS[key]
        if isinstance(value, list):
            value = value[rng.randrange(len(value))]
        return value

    text = _SLOT.sub(repl, template)
    if "{" in text:
        text = _SLOT.sub(repl, text)
    return text[:1].upper() + text[1:] if text else text


def pick(rng, options):
    return options[rng.randrange(len(options))]


_APOS = [("don't", "dont"), ("can't", "cant"), ("i'm", "im"), ("didn't", "didnt"), ("won't", "wont"),
         ("i've", "ive"), ("doesn't", "doesnt"), ("isn't", "isnt"), ("couldn't", "couldnt"), ("that's", "thats")]
_MISSPELL = {"because": "becuase", "really": "realy", "definitely": "definately", "tomorrow": "tomorow",
             "though": "tho", "anyway": "anyways", "just": "jsut", "the": "teh", "about": "abuot",
             "something": "somthing", "probably": "prolly", "weird": "wierd", "which": "whcih",
             "again": "agian", "thought": "thougth", "actually": "actualy", "sleep": "sleeep"}


def stylize(rng, text: str, style: dict) -> str:
    """Apply a persona's writing habits: lowercase, dropped apostrophes, a typo, no final period."""
    if style["lower"] and rng.random() < style["lower"]:
        text = text.lower()
        if style["noapos"]:
            for a, b in _APOS:
                if a in text:
                    text = text.replace(a, b)
    if style["typo"] and rng.random() < style["typo"]:
        words = text.split(" ")
        i = rng.randrange(len(words))
        w = words[i]
        core = w.rstrip(".,!?")
        rest = w[len(core):]
        if core.lower() in _MISSPELL and core.islower():
            words[i] = _MISSPELL[core] + rest
        elif len(core) >= 5 and core.isalpha():
            j = rng.randrange(1, len(core) - 2)
            words[i] = core[:j] + core[j + 1] + core[j] + core[j + 2:] + rest
        text = " ".join(words)
    if style["drop_period"] and text.endswith(".") and rng.random() < style["drop_period"]:
        text = text[:-1]
    return text


def check_banks() -> list[str]:
    """Every slot a template names is defined somewhere (persona slots listed here)."""
    from sample_data.generate import PERSONA_SLOTS
    problems = []
    known = set(GLOBAL_SLOTS) | set(PERSONA_SLOTS)

    def scan(where, text, extra):
        for key in _SLOT.findall(text):
            if key not in known and key not in extra:
                problems.append(f"{where}: {{{key}}}")

    for slug, bank in THEMES.items():
        extra = set(bank.get("slots", {}))
        for key, values in bank.items():
            if key == "slots":
                for sk, sv in values.items():
                    for v in sv:
                        scan(f"{slug}.slots.{sk}", v, extra)
                continue
            for v in values:
                scan(f"{slug}.{key}", v if isinstance(v, str) else " ".join(v), extra)
    generic = [FEELING, FEELING_POS, THOUGHT, DETAIL_GENERIC, IMPLICIT_GENERIC, NEUTRAL_NOTES, INSIGHT_GENERIC,
               SUBTLE_GENERIC, EVERYDAY_CONTEXT] + list(BODY.values()) + list(COPING.values())
    for bank in generic:
        for v in bank:
            scan("generic", v, set())
    return problems
