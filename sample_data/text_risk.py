"""Risk statements and keyword decoys, planted on purpose in a few clients (see generate.py).

WATCH: passive ideation. URGENT: intent, a plan or means. DECOYS: ordinary statements a naive
keyword list would flag (negation, someone else, reporting, idiom); their ground-truth risk is
``none`` with ``decoy=true``.
"""

WATCH = [
    "Some days I honestly don't want to be here anymore.",
    "What's the point of any of it, really.",
    "Sometimes I think everyone would manage just fine without me around.",
    "I keep wishing I could go to sleep and just not wake up.",
    "I'm so tired of existing like this.",
]
# the client's lead-in before a watch statement (ordinary sentences)
WATCH_LEAD = ["Work was the usual.", "I didn't get up until two.", "Everything feels grey.", "I cancelled on {friend} again.",
              "I haven't eaten properly in days."]

URGENT_MESSAGE = [
    "I've been saving up my tablets and I know how many it would take.",
]
# One urgent statement hidden in a long, otherwise ordinary check-in note.
URGENT_NOTE = (
    "Long day at work, inventory ran late and {friend} covered my break. Ate leftover pasta standing up. "
    "The bus was late again so I walked the last bit in the rain. "
    "I have the tablets counted out in the drawer and I've decided it will be Sunday. "
    "Need to call about the car insurance tomorrow and the plants need watering."
)
RECOVERY = [
    "I gave the tablets to my {sib_rel} to keep, and I'm seeing my therapist twice a week for now.",
    "It's been a rough few weeks but I'm still here and I've got a plan with my therapist for the bad nights.",
]

# (kind, text, where)
DECOYS = [
    ("negation", "To be clear, I would never do anything to hurt myself, I just need one proper night of sleep.", "message"),
    ("idiom", "This commute is killing me, two hours a day on that train.", "note"),
    ("third_person", "A guy from my old team took his own life two years ago and on days like this I still think about him.", "message"),
    ("idiom", "I nearly died laughing when {friend} fell off the paddleboard.", "note"),
    ("negation", "I'm not suicidal or anything like that, I'm just really fed up.", "message"),
    ("reporting", "We had suicide prevention training at work today, it was actually really well done.", "note"),
    ("idiom", "My feet are killing me after that double shift.", "message"),
]
