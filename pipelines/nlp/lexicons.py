"""Hand-written word and phrase lists for the per-text signals (written for Interlude).

Risk phrases are regular expressions over a normalized sentence (lower case, straight
apostrophes, single spaces; see ``normalize``). Each risk pattern has a level and a
machine-readable reason. First-person anchoring is part of the patterns ("myself", "my
life", "i tried"); negation, third-person reporting and idioms are scoped in
``pipelines.nlp.signals``.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------ building blocks (regex)
I = r"(?:i|i've|i'd|i'll|me)"
I_AUX = r"(?:i've|i'd|i had|i have|i|me)(?: also| actually| already| once| twice| even| just)?"
IM = r"(?:i'm|im|i am|i've been|ive been|i have been)"
MODAL = (r"(?:want(?:ed)? to|wanna|need to|have to|gotta|going to|gonna|will|'ll|ll|plan(?:ning)? "
         r"(?:to|on)|intend(?:ing)? to|decided to|am going to|'m going to|m going to|about to|"
         r"ready to|(?:would|'d) like to|(?:would|'d|will|'ll) (?:\w+ )?try to|"
         r"(?:am|'m|m) (?:gonna|going to)|might|may|should just|"
         r"could just|can't wait to|just want to|really want to|finally)")
KILL_SELF = (r"(?:kill(?:ing)? my ?self|k\.?m\.?s|end(?:ing)? (?:my (?:own )?life|it all|"
             r"things|my suffering|myself|everything|it(?: tonight| today| now| soon)?\b)|"
             r"take (?:my|my own) life|taking my (?:own )?life|commit(?:ting)? suicide|"
             r"(?:die|dying) by suicide|off(?:ing)? myself|unalive myself|hang(?:ing)? myself|"
             r"shoot(?:ing)? myself|drown(?:ing)? myself|overdose|od\b|jump(?:ing)? (?:off|in front)|"
             r"slit(?:ting)? my (?:wrists?|throat)|suicide|ctb|"
             r"(?:poison|starve|drink|bleed)(?:ing)? myself(?: to death)?)")
SELF_HARM = (r"(?:cut(?:ting)? (?:myself|my (?:arms?|wrists?|thighs?|legs?|skin))|"
             r"(?:slic|slash|carv)(?:e|ed|ing) (?:into )?(?:myself|my (?:arms?|wrists?|skin|legs?))|"
             r"burn(?:ing|ed|t)? myself|hurt(?:ing)? myself|harm(?:ing|ed)? myself|"
             r"self[- ]?harm(?:ing|ed)?|sh(?:'d|ed)\b|scratch(?:ing|ed)? myself|"
             r"punch(?:ing|ed)? myself|bang(?:ing|ed)? my head)")
MEANS = (r"(?:pills?|sleeping pills|tablets|meds|medication|tylenol|paracetamol|"
         r"acetaminophen|painkillers|insulin|rope|noose|belt|gun|pistol|rifle|firearm|"
         r"bullets?|razor|razors|blades?|knife|bridge|ledge|roof|cliff|train tracks|tracks|"
         r"exhaust|carbon monoxide|helium|bleach|poison|the car|my car)")

METHOD_SELF = (r"hang(?:ing|ed)? myself|hung myself|overdos(?:e|ing)|od'?ing|slit(?:ting)? my "
               r"(?:wrists?|throat)|drown(?:ing)? myself|suffocat(?:e|ing) myself|strangl(?:e|ing)"
               r" myself|shoot(?:ing)? myself|shot myself|poison(?:ing|ed)? myself|gas(?:sing)? "
               r"myself|stab(?:bing|bed)? myself|electrocut(?:e|ing) myself|jump(?:ing)? (?:off|in "
               r"front of|from)|drive (?:my car )?off|crash(?:ing)? my car")
PILLS = (r"(?:pills|tablets|painkillers|pain killers|capsules|meds|medications?|medicine|"
         r"sleeping pills|antidepressants|tylenol|paracetamol|acetaminophen|advil|ibuprofen|"
         r"aspirin|benadryl|xanax|ambien|klonopin|valium|lithium|seroquel|insulin|oxy\w*|"
         r"opioids|sleeping tablets|sleep aids)")
PILL_QTY = (r"(?:a bunch|a whole bunch|a handful|handfuls|a fistful|a (?:whole |full |entire )?"
            r"(?:bottle|box|pack|packet|strip|blister pack|jar|container)|an entire (?:bottle|box|"
            r"pack|packet)|half (?:a|the|of (?:a|the|my)) (?:bottle|box|pack|packet)|(?:way )?too "
            r"many|dozens|loads|tons|a shit ?load|a ton|all (?:of )?(?:my|the|her|his) (?:\w+ )?"
            r"(?:pills|tablets|meds|medications?|painkillers|sleeping pills|antidepressants)"
            r"(?= (?:at once|in one go|together|i had|i could find|with (?:alcohol|vodka|wine|"
            r"whiskey|booze|beer|gin)))|every (?:pill|tablet) (?:i had|in the house)|the rest)")

# Means given up for one's own safety (a watch-level "means" statement, in the past).
MEANS_KEPT = r"(?:guns?|firearms?|pistol|rifle|handgun|shotgun|pills|meds|razors?|blades?|rope)"
GAVE_UP = r"(?:sold|got rid of|gave away|gave|handed|threw (?:out|away)|locked up|flushed)"
FOR_SAFETY = (r"(?:clarity|for my (?:own )?(?:safety|good)|to (?:keep|stay) (?:myself )?safe|"
              r"from myself|so i (?:wouldn't|couldn't|won't|can't|don't) (?:use|do|hurt|take|be "
              r"tempted)|tempt(?:ed|ation))")

# (level, reason, pattern). Checked in order; the strongest level of all matches wins.
RISK_PATTERNS: list[tuple[str, str, str]] = [
    # --- summaries the companion app wrote about the client ("Client expressed ...")
    ("watch", "passive_ideation",
     r"\bclient (?:\w+ ){0,2}(?:expressed|reported|voiced|shared|mentioned|described|disclosed|admitted)"
     r"(?: \w+){0,3} (?:thoughts? of (?:not wanting to (?:be here|be alive|live|wake up)|suicide|"
     r"self[- ]harm|ending (?:their|his|her|it)|dying|death)|suicidal (?:thoughts|ideation|feelings)|"
     r"(?:a )?wish(?:es)? to (?:die|not wake up|disappear))"),
    ("urgent", "plan",
     r"\bclient (?:\w+ ){0,2}(?:disclosed|described|reported|shared|mentioned|admitted|expressed)"
     r"(?: \w+){0,2} (?:a (?:suicide |specific )?plan|(?:having )?access to (?:the )?means|intent(?:ion)? to "
     r"(?:act|die|end|kill)|a (?:recent |past |previous )?(?:suicide |overdose )?attempt)\b"),
    # --- passive ideation and burden (watch)
    ("watch", "passive_ideation",
     r"\b(?:go to sleep|fall asleep|sleep) and (?:just |simply )?(?:not|never) wake(?: up)?\b"),
    ("watch", "passive_ideation",
     r"\b(?:wish|hope|pray) (?:that )?i (?:\w+ )?(?:wouldn't|would not|won't|didn't|did not|"
     r"couldn't|never|just wouldn't|just won't) wake up\b"),
    ("watch", "ideation",
     r"\b(?:everyone|everybody|people|my family|my kids|they|the world|it) would (?:\w+ ){0,3}"
     r"(?:better off|fine|manage|cope|be okay|be ok|be happier|not notice|not miss me)\b[\w' ]{0,20}"
     r"\bwithout me\b(?! (?:while|for the|on|during|this|next|at|when i'?m (?:away|on|off)))"),
    # --- means laid ready and a day chosen (urgent)
    ("urgent", "means",
     rf"\b{PILLS} (?:are |all )?(?:counted|lined|laid|set|sorted) (?:out|up)\b(?! (?:for the week|by day|"
     rf"in (?:my|the|a) (?:pill|weekly) (?:box|organi[sz]er)))"),
    # --- past attempt (behavior)
    ("urgent", "past_attempt",
     rf"\b{I_AUX} (?:tried|attempted|try|was trying|almost|nearly|came close to|been trying|"
     rf"did (?:attempt|try)|failed|failing|fail)"
     rf"(?: to| twice to| again to| once to)? (?:kill(?:ing)? myself|end(?:ing)? (?:my life|it|"
     rf"it all|things)|take my (?:own )?life|commit suicide|hang myself|overdose|od\b|"
     rf"suicide|off myself|jump)"),
    ("urgent", "past_attempt",
     r"(?:^|[,;:] |\. )(?:tried|attempted|almost|nearly|failed|failing) (?:to )?[\w' ,]{0,30}?"
     r"(?:kill(?:ing)? myself|end(?:ing)? my life|overdose|hang(?:ing)? myself|"
     r"take my (?:own )?life|commit suicide)"),
    ("urgent", "past_attempt",
     r"\b(?:my|a|an) (?:\w+ ){0,2}(?:suicide|poisoning|overdose|hanging|od) attempts?\b"),
    ("urgent", "plan",
     r"\b(?:for|planning|plan|planned|prepare|preparing|organi[sz]e|organi[sz]ing) my "
     r"(?:own )?(?:suicide|death)\b"),
    ("urgent", "means",
     r"\b(?:aim|aimed|aiming|point|pointed|pointing|put|putting|held|hold|holding|press|"
     r"pressed) (?:it|the gun|a gun|my gun|the knife|a knife|the blade|a blade|the barrel)"
     r"(?: \w+){0,3} (?:at|to|against|on) my (?:head|temple|throat|chest|wrists?|mouth)"),
    ("watch", "means",
     r"\b(?:i|i've|i'm)\b[\w' ]{0,20}\b(?:buy|bought|buying|get|getting|got|own|have) "
     r"(?:a|my|the) (?:gun|firearm|pistol|rifle|handgun)\b"
     # a gun owned for protection, sport or work is not a means statement
     r"(?!.*\b(?:protect\w*|defend\w*|self[- ]defen[cs]e|safety|hunting|hunt|range|license|"
     r"licence|permit|job|work)\b)"),
    ("urgent", "past_attempt",
     r"\b(?:my|a|the|an|his|her|their)? ?(?:last |first |second |third |previous |recent |failed |"
     r"1st |2nd |3rd |serious |near[- ]fatal )?(?:suicide|suicidal) attempts?\b|"
     r"\b(?:my|the) (?:last |first |second |third |previous |recent |failed |1st |2nd |3rd )?"
     r"attempts?\b(?! (?:to|at|of|in|on|for)\b)(?=.*\b(?:suicid\w*|kill\w*|die|died|dying|"
     r"dead|death|overdos\w*|od|pills|tablets|hang\w*|noose|rope|hospital|icu|er|psych|"
     r"ward|survived|woke up|wrists?|jump\w*|myself)\b)"),
    ("urgent", "past_attempt",
     rf"\b{I_AUX} (?:attempted(?! (?:to|at) (?!(?:kill|end|take my|commit|hang|overdose|od|die|"
     rf"suicide|off)\b|\d))|attempted suicide|survived (?:my|an?|the) "
     rf"(?:suicide )?attempt|overdosed|od'?d|o\.d\.'?d)\b"),
    ("urgent", "past_attempt",
     r"\b(?:after|since|before) (?:i|my) (?:attempted|attempt|overdose|od'?d|tried to kill)"),
    ("urgent", "past_attempt",
     r"\b(?:pumped my stomach|had my stomach pumped|woke up in (?:the |a )?(?:hospital|icu|er)\b.*\b(?:myself|overdos|pills|attempt|suicid)|"
     r"psych ward after|(?:i |was )?(?:hospitalized|admitted) (?:for|after) (?:my )?"
     r"(?:suicid|overdos|attempt|trying))"),
    ("urgent", "past_attempt",
     rf"\b{I_AUX} (?:tried|attempted|almost|nearly|was going to try)(?: to)? (?:{METHOD_SELF})\b|"
     rf"\b{I_AUX} (?:tried|attempted|was trying) to die\b|"
     # a reflexive "me" for "myself" ("i tried to hang me"): the writer is the subject (signals-5)
     r"\bi (?:tried|attempted|was trying) to (?:kill|hang|drown|poison|shoot|strangle|suffocate|"
     r"stab|gas|overdose) me\b|"
     rf"\b{I_AUX} (?:{METHOD_SELF})\b(?=.*\b(?:years? ago|last (?:year|month|week|time|night|"
     rf"summer|winter|spring|fall)|when i was|in (?:high school|college|\d{{4}})|once|before|"
     rf"twice|and (?:woke|ended|survived|failed)|but (?:i )?(?:woke|survived|failed|it didn't)))"),
    # swallowing a quantity of pills (an overdose described without the word)
    ("urgent", "past_attempt",
     rf"\b(?:i |i've |i have |i had |and |then |so )?(?:took|taken|swallowed|downed|ate|popped|"
     rf"chugged|swallow|take|(?:after|from|by) (?:taking|swallowing|downing|popping))(?: \w+)? "
     rf"{PILL_QTY} (?:of )?(?:my |the |all the |some |\w+'s )?"
     rf"(?:[\w'-]+ ){{0,2}}{PILLS}\b(?! (?:for|to help with) (?:my )?(?:headache|back|cold|flu|"
     rf"allergies|pain)\b)"),
    ("urgent", "past_attempt",
     r"\b(?:ended up|wound up|woke up|landed|was rushed|got rushed|was taken|got taken|spent "
     r"(?:\w+ ){1,3}) ?(?:\w+ )?(?:in|to) (?:the |a )?(?:hospital|er|icu|emergency room|"
     r"emergency|psych ward|psych hospital|psychiatric (?:ward|hospital|unit)|mental hospital)\b"
     r"(?=.*\b(?:pills|tablets|overdos\w*|od'?d|tried to (?:kill|end|die|hang|overdose|od)|"
     r"tried (?:killing|hanging|overdosing)|attempt\w*|(?:kill|hurt|harm|cut|poison|hang|"
     r"shoot|shot|stab)\w* myself|suicid\w*|(?:cut|slit|slashed|slitting) (?:my )?wrists?|"
     r"swallow\w* (?:a|the|all|too|half|every|\d+)|noose|stomach pumped)\b)"),
    ("urgent", "past_attempt",
     rf"\b{I_AUX} (?:jumped|threw myself|stepped) (?:off|in front of|from|out of) (?:a|the|my) "
     r"(?:bridge|train|car|truck|bus|building|roof|balcony|cliff|overpass|window|ledge|"
     r"parking garage)\b(?! into (?:the |a )?(?:pool|water|lake|river|sea|snow))|"
     rf"\b{I_AUX} (?:survived|lived through|came out of) (?:my|an?|the) (?:\w+ )?"
     r"(?:overdose|od|suicide attempt|attempt on my (?:own )?life)\b|"
     r"\b(?:my|an|the) (?:last |first |second |previous |recent |near[- ]fatal |failed )?"
     r"(?:overdose|od) (?:was|in|last|when|at)\b|"
     r"\b(?:my (?:last |first |second |previous |recent )?|a (?:serious |near[- ]fatal )?|"
     r"the (?:last |first ))(?:overdose|od)\b(?=.*\b(?:i|me|my)\b)"),
    # relief at having survived ("so glad I wasn't able to go through with it", "grateful I
    # failed to end my life"): a past attempt told from after it (signals-5). The negation is
    # part of the statement (``signals._SELF_NEGATING``).
    ("urgent", "past_attempt",
     r"\b(?:glad|happy|relieved|thankful|grateful|lucky)\b[\w' ]{0,12}?\bi (?:wasn't able to|"
     r"was not able to|couldn't|could not|failed to|didn't manage to|did not manage to|"
     r"didn't succeed(?: in| at)?|did not succeed(?: in| at)?|survived)(?: \w+)? "
     r"(?:kill(?:ing)? myself|commit(?:ting)? suicide|end(?:ing)? (?:my life|it)|"
     r"tak(?:e|ing) my (?:own )?life|go(?:ing)? through with it|my (?:suicide )?attempt|"
     r"(?:the|my) overdose)\b"),
    # the same relief without the failed try ("glad I didn't kill myself back then"): ideation
    ("watch", "ideation",
     r"\b(?:glad|happy|relieved|thankful|grateful|lucky)\b[\w' ]{0,12}?\bi (?:didn't|did not|"
     r"never)(?: \w+)? (?:kill(?:ing)? myself|commit(?:ting)? suicide|end(?:ing)? (?:up )?"
     r"(?:my life|killing myself)|tak(?:e|ing) my (?:own )?life|(?:go|going|gone|went) through with it)\b"),
    ("watch", "psychiatric_hold",
     r"\b(?:i was|i got|i've been|i have been|i had been|they|got me|had me|when i was) "
     r"(?:involuntarily |forcibly )?(?:committed|sectioned|baker acted|5150'?d|put on (?:a |an )?"
     r"(?:\d+[- ]hours? |psych(?:iatric)? |involuntary )?hold|admitted to (?:a |the )?(?:psych|"
     r"psychiatric|mental))\b(?! to (?:my|the|this|our|a) (?!psych|mental|hospital))"),
    # means given up for one's own safety ("had a gun for years but in a moment of clarity I
    # sold it", "gave my pills to my sister so I wouldn't use them"): means, in the past (signals-5)
    ("watch", "means",
     rf"\b(?:i|i've|i'd) (?:\w+ )?{GAVE_UP} (?:my|the|all (?:of )?(?:my|the)) (?:\w+ )?"
     rf"{MEANS_KEPT}\b(?=.*\b{FOR_SAFETY}\b)|"
     rf"\b{MEANS_KEPT}\b(?=.*\b{FOR_SAFETY}\b)[\w' ,]{{0,60}}?\bi (?:\w+ )?{GAVE_UP}\b|"
     rf"\b{FOR_SAFETY}\b[\w' ,]{{0,30}}?\bi (?:\w+ )?{GAVE_UP} (?:my|the|all (?:of )?(?:my|the)) "
     rf"(?:\w+ )?{MEANS_KEPT}\b"),
    # a voluntary admission ("thinking of checking myself in", "I admitted myself to the psych
    # ward"); not a hotel, a flight, a gym or a class (signals-5)
    ("watch", "psychiatric_hold",
     r"\b(?:check|checks|checking|checked|admit|admits|admitting|admitted) myself (?:in\b|into\b|"
     r"to (?:the |a )?(?:hospital|er\b|psych|psychiatric|mental|ward|emergency))"
     r"(?!(?: to| at)?(?: the| a| my| our)? (?:hotel|motel|hostel|inn|airport|flight|plane|gym|"
     r"resort|airbnb|lodge|reception|front desk|class|school|college|course|rehab|detox|program)\b)"),
    # means kept ready: pills saved, a razor hidden, the gun loaded
    ("urgent", "means",
     rf"\b(?:{I}|i'm|i have|i had|i've got|i got)\b[\w' ]{{0,25}}?\b(?:saved|saving|stashed|"
     rf"stashing|stockpiled|stockpiling|hoarded|hoarding|hidden|hiding|hid|squirrell?ed|"
     rf"set aside|putting aside|put aside|collecting|collected|keep(?:ing)?|kept)(?: up| away)?\b"
     rf"(?! (?:up )?(?:for|money|on)\b)[\w' ]{{0,20}}?\b(?:{PILLS}|razors?|blades?|rope|noose)\b"
     rf"(?! (?:for|to help with|in case of) (?:my )?(?:headache|back|cold|flu|allergies|"
     rf"anxiety|sleep|emergencies|travel|the trip)\b)(?=.*\b(?:for|in case|just in case|when|"
     rf"enough|all|hidden|saved|stashed|up|away|drawer|closet|ready|month|months|weeks|"
     rf"someday|one day|the day|if|since|collection|how many|how much|would take|it takes)\b)|"
     rf"\b(?:my |the |a )?(?:stash|stockpile|collection|hoard|supply|bottle) of {PILLS}\b"
     rf"(?=.*\b(?:i|i've|i'm|my)\b)(?=.*\b(?:saved|hidden|ready|enough|for when|in case|"
     rf"tonight|end|die|kill|od|overdose|suicid\w*|myself)\b)|"
     rf"\b(?:{PILLS}|razors?|blades?|rope|noose) (?:i've |i have |i'd |i had )?(?:been )?"
     rf"(?:saved|saving|stashed|stockpiled|hoarded|hidden|set aside|collected)(?: up| away)?\b"),
    ("urgent", "means",
     rf"\b(?:{I}|i'm|i have|i had)\b[\w' ]{{0,25}}?\b(?:stockpil(?:e|ed|ing)|stash(?:ed|ing)|"
     rf"hoard(?:ed|ing)|squirrell?(?:ed|ing) away)\b[\w' ]{{0,20}}?\b{PILLS}\b"),
    ("urgent", "means",
     rf"\b{I_AUX}[\w' ]{{0,15}}\b(?:loaded|loading|load|cocked|cocking) (?:the|my|a|his|her|"
     rf"\w+'s) (?:gun|pistol|rifle|shotgun|revolver|handgun)\b(?! (?:for|at) (?:the )?"
     rf"(?:range|hunting|hunt|practice))"),
    # going to a high place with the thought of jumping
    ("urgent", "plan",
     r"\b(?:looking at|looked at|staring at|stared at|scoping out|scoped out|checking out|"
     r"researching|drove to|driving to|drive to|walked to|walking to|went to|go to|going to|"
     r"been to|visit(?:ed|ing)?|standing on|stood on|sitting on|sat on|climbed|climbing|"
     r"up on|driving past|drove past|walk past|walked past|stand on|sit on)(?: \w+){0,2} "
     r"(?:the|a|that|this|an) (?:\w+ )?(?:bridge|ledge|cliff|train tracks|railway|tracks|"
     r"rooftop|roof|overpass|edge|balcony|parking garage|top floor)\b"
     r"(?=.*\b(?:jump\w*|fall\w*|end it|ending it|die|dying|death|suicid\w*|kill\w*|"
     r"thinking about it|how high|how tall|how far down|the drop|survive|over the edge|"
     r"step off|let go|go through with it|gone)\b)"),
    ("watch", "means",
     r"\b(?:i|i've|i'm|i was|i keep)\b[\w' ]{0,15}\b(?:standing on|stood on|sitting on|sat on|"
     r"climbed (?:up )?(?:on|onto)?|looking (?:down )?(?:at|over)|staring (?:down )?(?:at|over)) "
     r"(?:the|a|that|this) (?:edge of (?:the|a) )?(?:bridge|ledge|cliff|train tracks|tracks|"
     r"rooftop|roof|overpass|balcony railing)(?=\s*(?:[,.!?;]|$|(?:again|tonight|today|for (?:a|an|hours)|"
     r"and|thinking|wondering|every|alone|at night|in the dark|near)\b))"),
    ("urgent", "plan",
     r"\bi (?:know|figured out|worked out|decided|have decided|'ve decided|already know) "
     r"(?:exactly )?(?:how|when|where|the (?:way|day|date|time|place)) (?:i'?m going to|i'?ll|i'?d|"
     r"i would|i will|i want to|i'm gonna|to|i could) (?:do it|end it|kill myself|die|end my "
     r"life|go|jump|take (?:them|the pills|my life))\b"),
    ("urgent", "intent",
     r"\b(?:afraid|scared|worried|terrified|frightened) (?:that )?i'?(?:ll|will|might|may|am "
     r"going to|'m going to) (?:actually |finally )?(?:act on (?:it|them|the thoughts|these "
     r"thoughts|my (?:suicidal )?thoughts|the urges?)|go through with it|kill myself|end it)\b"),
    # --- intent
    ("urgent", "intent",
     rf"\b(?:{I}|i'm|im|i am|i'll|ill|i've|ive)\b[\w' ,]{{0,25}}?\b{MODAL} (?:\w+ )?{KILL_SELF}"),
    ("urgent", "intent",
     rf"\b(?:{IM}|i'm|im|i am) (?:going to |gonna )?(?:kill(?:ing)? myself|end(?:ing)? my life|"
     rf"commit(?:ting)? suicide|do(?:ing)? it tonight)"),
    ("urgent", "intent",
     r"\b(?:tonight is the night|today is the day i|this is (?:my|the) (?:last|final) "
     r"(?:post|message|night|day|time i)|this is goodbye|goodbye (?:everyone|world|forever|all)|"
     r"by the time (?:you|anyone) (?:read|see)s? this|won't be (?:here|alive|around) "
     r"(?:tomorrow|much longer|by|for long|next)|(?:i'm|im|i am) done with (?:life|living)|"
     r"(?:i'm|im|i am) (?:going to|gonna) do it (?:tonight|today|soon|this time))"),
    ("urgent", "intent",
     r"\b(?:i'm|im|i am|i feel) (?:really |very |so |actively |extremely )?suicidal "
     r"(?:and|with) (?:a plan|the means|i have)"),
    ("urgent", "intent",
     r"\b(?:suicid\w*|kill myself|die|end it|end my life)\b.*\b(?:go|going|went) through with it|"
     r"\b(?:should|will|going to|want to|ready to|finally) (?:just )?go through with it\b"
     r"(?=.*\b(?:suicid|kill|die|end|life|tonight|this time))"),
    ("urgent", "past_attempt",
     r"\b(?:i )?(?:took|swallowed|downed|ate) (?:over |about |around |like |almost |nearly )?"
     r"\d{2,}(?: to \d+)? (?:[\w-]+ ){0,4}(?:pills|tablets|painkillers|killers|capsules|"
     r"sleeping pills|of my meds)\b"),
    ("urgent", "intent",
     r"\b(?:spend|spending|be|is|this is|today is|tonight is) my (?:very )?last (?:day|night)"
     r"(?: on earth| alive| here)?\b(?! (?:at|of|in|before|off|on the job|with the company))"),
    ("urgent", "intent",
     r"\b(?:i'm|i am|i was|i came|i got|i've been|i have been|i feel) (?:so |really |very |"
     r"dangerously |scarily )?close to (?:ending it|ending my life|killing myself|suicide|"
     r"going through with it|taking my (?:own )?life|acting on it)\b"),
    ("watch", "ideation",
     r"\b(?:i'm|i am|i was|i came|i got|i've been|i feel) (?:so |really |very )?close to "
     r"(?:doing it|the edge|giving up|the end)\b"),
    # --- plan
    ("urgent", "plan",
     r"^(?=.*\b(?:gun|pills|rope|knife|bridge|suicid\w*|kill|die|overdose|noose)\b)"
     r".*?\bplann?(?:ed|ing)? (?:on|to) (?:doing|do) (?:it|the same)"),
    ("urgent", "plan",
     r"\b(?:method|methods|ways?|means) (?:of|to|for) (?:killing myself|kill myself|"
     r"end(?:ing)? my (?:own )?life|taking my (?:own )?life|my suicide)\b|\bpainless ways? to die\b"),
    ("urgent", "plan",
     r"\b(?:i (?:have|'ve got|ve got|got|made|came up with|worked out)|my) (?:a |the )?"
     r"suicide (?:plan|plans|method|date)\b|"
     r"\b(?:i (?:have|'ve got|ve got|got|made|came up with|worked out)|my) (?:a |the )?"
     r"(?:plan|plans|method|date)\b(?! (?:for|to) (?:the|this|next|my) "
     r"(?:weekend|holiday|trip|week|party|vacation|career|future))"
     r"(?=.*\b(?:suicid\w*|kill myself|die|dying|end it|end my life|overdos\w*|pills|jump\w*|"
     r"hang\w*|rope|noose|gun|bridge|death|go through with it)\b)"),
    ("urgent", "plan",
     r"\b(?:planning|planned|plan|planed) (?:my|to|on|out|how to|how i'?ll)"
     rf"(?: \w+){{0,3}} (?:suicide|death|{KILL_SELF}|die|dying)"),
    ("urgent", "plan",
     r"\b(?:wrote|writing|written|write|left|drafted|finished) (?:a|my|the) (?:suicide |goodbye )?"
     r"(?:note|letter)s?\b(?= .*(?:goodbye|before|family|parents|die|gone|suicide))|"
     r"\b(?:my|a) suicide (?:note|letter)|\b(?:wrote|writing|written) (?:my )?goodbye letters?"),
    ("urgent", "plan",
     r"\b(?:giving|gave|give) away (?:all )?(?:my|of my) (?:stuff|things|belongings|possessions|"
     r"cat|dog|pets?)|(?:picked|chose|set) (?:a|the) (?:date|day) (?:to|for|when)|"
     r"(?:researching|researched|looked up|googled|googling) (?:how to|ways to|methods|"
     r"the best way to|painless ways)"),
    ("urgent", "plan",
     r"\b(?:saying|said|say) (?:my )?goodbyes?\b.*\b(?:before i|for good|forever|last time)"),
    # --- means (access or preparation)
    ("urgent", "means",
     rf"\b(?:{I}|i've|ive|i'm|im)\b[\w' ]{{0,20}}\b(?:bought|buy|buying|got|have|has|had|"
     rf"stockpiled?|stockpiling|saving up|saved up|hoarding|hoarded|collecting|collected|"
     rf"ordered|tied|loaded|holding|staring at|counted|counting|sharpened)\b[\w' ]{{0,25}}\b{MEANS}"
     rf"\b(?=.*\b(?:to (?:die|end|kill|do it|od|overdose|finish)|enough|kill|die|end it|suicide|"
     rf"overdose|ready|tonight|last|for when|noose|hang|lethal|myself)\b)"
     # a gun (or anything) kept to protect oneself, for sport or for work
     rf"(?!.*\b(?:protect\w*|defend\w*|self[- ]defen[cs]e|hunting|shooting range)\b)"),
    ("urgent", "means",
     r"\b(?:(?:tied|made|bought|tested|hung|hanging up) (?:a|the|my) noose|enough (?:pills|"
     r"tablets|meds) to (?:kill|die|end|od|overdose|do it)|lethal dose|how many (?:pills|"
     r"tablets|mg)\b.*\b(?:kill|die|lethal|overdose|od)|(?:standing|stood|sitting|sat) on "
     r"(?:the|a) (?:bridge|ledge|roof|edge|tracks)|gun (?:to|in) my (?:head|mouth)|"
     r"knife (?:to|on) my (?:wrist|throat|skin)|blade (?:to|on) my (?:wrist|skin))"),
    # --- self-harm (current)
    ("urgent", "self_harm",
     rf"\b(?:{I}|i've|ive|i'm|im|i am|i just|i (?:have|had) been|i keep|i still|i started)\b"
     rf"[\w' ]{{0,20}}?\b{SELF_HARM}"),
    ("urgent", "self_harm",
     r"\b(?:my|the) (?:cutting|self[- ]?harm(?:ing)?|burning myself)\b|"
     r"\b(?:i|i've|i'm)\b[\w' ,]{0,40}\b(?:cutting\b(?! (?:her|him|them|it|you|us|people|everyone|"
     r"everybody|someone|somebody|ties|contact|things|the|a|an|some|that|this|those|these|his|"
     r"their|our|your|costs|hours|school|classes|sugar|carbs|my (?!arms?|wrists?|thighs?|legs?|"
     r"skin|body|stomach)\w+)\b)|self[- ]?harm(?:ing|ed)?)\b(?! (?:class|back|"
     r"down|out|off|corners|it close|hair|onions|my hair))"),
    ("urgent", "intent",
     r"\b(?:only|the) (?:reason|thing) (?:i|that kept me|that stopped me)\b.*\b(?:didn't|"
     r"haven't|did not|from) (?:kill|killing|end|ending|hurt|hurting) (?:myself|my life|it)\b"
     r".*\b(?:tonight|today|last night|this morning|yesterday|this week)\b"),
    ("urgent", "self_harm",
     r"\b(?:relapsed|relapse|relapsing)\b.*\b(?:cutting|self[- ]?harm|sh\b|burning)|"
     r"\bmy (?:fresh |new |latest )?(?:cuts|scars are (?:fresh|bleeding)|wounds)\b"),
    # --- active ideation without intent or plan: watch
    ("watch", "ideation",
     rf"\b(?:thinking|thought|think|thoughts|fantasi[sz]e|fantasi[sz]ing|dream(?:ing)?|urges?|"
     rf"considering|considered|contemplating|contemplated)\b[\w' ]{{0,15}}\b(?:about |of )?"
     rf"(?:{KILL_SELF}|killing myself|dying|death|being dead)"),
    ("watch", "ideation",
     r"\b(?:i'm|im|i am|i feel|i've been|ive been|i have been|i get|i got|been|feeling|getting|"
     r"i was|so|very|really|extremely|super|pretty)\s+(?:\w+ )?suicidal\b|\bsuicidal "
     r"(?:thoughts?|ideation|feelings?|urges?)\b|\b(?:my|the) urges?\b(?! to (?!(?:hurt|harm|cut|burn|die|end|kill|hang|jump|od|overdose)\b))"),
    # the writer called a suicide or crisis line (signals-5)
    ("watch", "ideation",
     r"\b(?:i|i've|i'd|i had to|i ended up|i finally)\b[\w' ]{0,12}?\b(?:call|called|calling|"
     r"ring|rang|phoned|phone|texted|text|texting|contacted|reached out to) (?:(?:a|the|my local|"
     r"\d+) )?(?:suicide|crisis) (?:prevention )?(?:hot ?line|line|helpline|help line|text line|"
     r"number|center|centre)\b(?! (?:for|about|on behalf of) (?:my|a|her|him|them|someone)\b)"),
    ("watch", "ideation",
     r"\b(?:kept|keeps|keeping|held|holding|stopped|stopping|stops) me (?:back )?from "
     r"(?:killing myself|ending (?:it|my life)|suicide|doing it)|\bwhy i (?:haven't|didn't) "
     r"(?:killed|kill|ended) (?:myself|it)|\breason i'?m still (?:alive|here)\b"),
    ("watch", "ideation",
     rf"\b(?:kill myself|killing myself|end(?:ing)? my life|take my (?:own )?life|"
     rf"off myself|unalive myself|kms)\b"),
    # --- passive ideation: watch
    ("watch", "passive_ideation",
     rf"\b(?:{I}|i'm|im|i am|i just|i really|i honestly|i kinda|i sometimes|i often)\b"
     rf"[\w' ]{{0,16}}?\b(?:want(?:ed)? to|wanna|wish(?:ed)? (?:i could|to|i was|i were|i'd|i "
     rf"would)|would rather|hope i|pray(?:ing)? (?:i|to|that i)|long to|ready to)\b[\w' ]{{0,8}}?"
     rf"\b(?:die|be dead|dead|not wake up|never wake up|(?:wouldn't|would not|won't|will not) wake up|not exist|stop existing|disappear "
     rf"(?:forever|for good|completely)|be gone|not be here|not be alive|not be around|fall "
     rf"asleep (?:and|forever)|cease to exist|get hit by|not be born|never been born|sleep "
     rf"forever|not have been born|(?:go to |fall a)?sleep and (?:never|not) wake up)"),
    ("watch", "passive_ideation",
     r"\b(?:i )?(?:don't|dont|do not|no longer|don't really|dont really|never) (?:want|wanna|wish)"
     r"(?: to)? (?:be here\b(?!,? (?:but|though|today|right now|in (?:this|the|your|a)|at (?:this|the|"
     r"work|school|all)|with|for (?:this|the|that)|either|to be honest|tbh)\b)|live|living|be alive|"
     r"exist|go on|keep going|wake up|be around|continue|do this|be on this earth|"
     r"be in this world)\b"),
    ("watch", "passive_ideation",
     r"\b(?:no|nothing|no one|nobody|not any|no more) (?:reason|point|purpose|will|desire)?"
     r" ?(?:to|in|for|worth) (?:live|living|go on|going on|keep going|stay alive|staying alive|"
     r"wake up)\b|\b(?:nothing|no one|nobody|nothing and no one) (?:left )?(?:for me )?"
     r"(?:to live for|worth living for)\b|\bwhat'?s the point (?:of|in) "
     r"(?:living|life|being alive|going on|anything|any of (?:this|it)|even trying)|"
     r"\b(?:everyone|everybody|they|people|my family|the world|my kids) (?:would|will|'d) be "
     r"better off (?:without me|if i (?:was|were|wasn't|weren't)|with me gone|when i'm gone)|"
     r"\bbetter off dead\b|\b(?:i'm|im|i am|i feel like) (?:just )?a burden\b|"
     r"\b(?:can't|cant|cannot) (?:go on|do this anymore|keep doing this|take (?:it|this) "
     r"anymore|keep living|live like this)|\b(?:tired|sick) of (?:living|being alive|life|"
     r"existing|waking up)|\bwish (?:i was|i were|i'd) never (?:born|been born)|\bwish (?:i was|i were) dead\b|"
     r"\b(?:life|living) (?:isn't|is not|isnt) worth\b|\bwant (?:it all|this all|all of (?:it|this)|everything(?: all)?) "
     r"to (?:end|stop|be over)\b(?! with)|\bend it all\b|\bgive up on (?:life|living|everything)\b|"
     r"\b(?:when|if|once) i'?m (?:gone|dead|not here)\b|\bdisappear forever\b|"
     r"\bnot (?:be|being) here (?:anymore|any more|much longer)|\bno way out\b"),
    ("watch", "ideation",
     r"\b(?:brave|strong|courage|guts|balls|nerve)(?: enough)? to (?:end it|kill myself|do it|"
     r"go through with it|end my life|jump|pull the trigger)\b|\bmy (?:desire|wish|urge|urges|"
     r"need|want) to (?:die|be dead|end it|kill myself|not exist)\b|\bwish i (?:didn't|did not|"
     r"wouldn't|could not|couldn't) exist\b"),
    # Hopelessness about the future, entrapment and burdensomeness (the suicide-specific
    # cognitions); "worthless" alone is a depressive self-judgement, not suicide language (the
    # contract's risk), so it is not flagged (signals-4: it flagged everyday distress).
    ("watch", "hopelessness",
     r"\b(?:i'm|i am|i feel|i felt|i was|i've been|i have been|feeling|felt|i get)\b[\w' ]{0,15}"
     r"\b(?:hopeless(?! (?:with|at) \w| about (?:her|him|them|it|this|that)\b)|like a burden|"
     r"trapped with no way out|beyond help|at rock bottom)\b|\bhit(?:ting)? rock bottom\b|\b(?:i see|i have|there's|there is) no "
     r"(?:future|hope|way out)\b|"
     # the noun ("feelings of hopelessness", "the hopelessness I've felt", "my hopelessness")
     r"\b(?:feelings?|sense|state|waves?|pit|bouts?|moments?|periods?) of (?:\w+ )?hopelessness\b|"
     r"\b(?:i|i'm|i've|i have|i feel|i felt|me)\b[\w' ,]{0,30}\bhopelessness\b|"
     r"\bmy (?:own |constant |deep )?hopelessness\b|"
     # felt, not named ("feeling despair and hopelessness"; signals-5)
     r"\b(?:feel|feels|feeling|felt)\b[\w' ,]{0,25}\bhopelessness\b|"
     r"\bhopelessness (?:\w+ )?(?:has|is|keeps|won't|took|takes|consumes|overwhelms|is eating) "
     r"(?:\w+ ){0,2}(?:me|over)\b"),
    ("watch", "self_harm_history",
     r"\b(?:i )?used? to (?:cut|self[- ]?harm|hurt myself|burn myself)\b|\b(?:i )?used to (?:cut|self[- ]?harm|hurt myself|burn myself)|\bmy (?:self[- ]?harm )?"
     r"scars\b|\b(?:clean|free) (?:from|of) (?:self[- ]?harm|cutting)\b|\b(?:urge|urges) to "
     r"(?:cut|self[- ]?harm|hurt myself)"),
]

# Ambiguous statements that name a plan, means, intent or past attempt only when the same
# text also carries risk language ("I have the rope." beside "I want to die."). Alone they
# are not flagged by the lexicon; next to another risk sentence of the text (watch or
# above) they become urgent. (reason, pattern); the same negation / third-person / idiom
# scoping applies.
CONTEXT_PATTERNS: list[tuple[str, str]] = [
    ("past_attempt",
     r"\b(?:my|the) (?:last |first |second |third |previous |recent |failed )?attempts?\b"
     r"(?! (?:to|at|of|in|on|for)\b)|"
     rf"\b{I_AUX} (?:tried|attempted)(?: it)? (?:before|twice|once|again|already|"
     r"(?:two|three|four|five|several|multiple|a few|a couple of|\d+) times|,? (?:and )?failed|"
     r"but (?:failed|survived|woke up|it didn't work|didn't die)|when i was)\b|"
     r"\b(?:the last time|last time|the first time|the time) i (?:tried|attempted)\b|"
     r"\b(?:it|they|that|the pills) (?:didn't|couldn't|did not|could not|wouldn't) (?:work|"
     r"finish the job|kill me)\b|\b(?:i )?(?:woke up|survived)\b.*\b(?:disappointed|"
     r"still alive|annoyed|pissed)\b|\bfinish the job\b|"
     # "glad I failed.", "grateful I survived": beside risk language, relief after an attempt
     r"\b(?:glad|happy|relieved|thankful|grateful|lucky) (?:that )?i (?:failed|survived)"
     r"(?=\s*(?:[,.!?;)]|$|(?:though|tho|now|honestly|back then|that time)\b))"),
    ("plan",
     r"\b(?:i (?:have|'ve got|ve got|got|made|came up with|worked out)|my) (?:a |the )?"
     r"(?:plan|plans|method|date|note|letters?)\b(?! (?:for|to) (?:the|this|next|my) "
     r"(?:weekend|holiday|trip|week|party|vacation|career|future))|"
     r"\bi (?:know|figured out|worked out|have decided|'ve decided|already know) exactly "
     r"(?:how|when|where)\b|\b(?:i've|i have) made up my mind\b"),
    ("intent",
     r"\b(?:i'm|im|i am|i'll|i will|i) (?:going to|gonna|will|about to|ready to|finally going to)"
     r" (?:do it|go through with it|be gone|not be here|say goodbye|let go)\b|"
     r"\b(?:i'm|im|i am) ready to (?:die|go|leave (?:this|for good))\b|"
     r"\b(?:tonight|today|this weekend|tomorrow|soon) (?:is|will be) (?:the|my) (?:night|day|end)\b"),
    ("means",
     rf"\b(?:{I}|i'm|i have|i had|i've got|i got|i bought|i keep|i found)\b[\w' ]{{0,20}}?\b"
     rf"(?:have|had|got|bought|buy|buying|found|keep|kept|get|getting|ordered|stole|took|own)\b"
     rf"[\w' ]{{0,15}}?\b(?:{PILLS}|a rope|the rope|rope|noose|gun|pistol|rifle|firearm|"
     r"razors?|razor blades?|blades?|knife|knives|bullets?|helium|charcoal)\b|"
     r"\b(?:looking at|looked at|staring at|stared at|scoping out|drove to|driving to|walked to|"
     r"went to|visit(?:ed|ing)?|driving past|drove past)(?: \w+){0,2} (?:the|a|that|this) "
     r"(?:bridge|ledge|cliff|train tracks|railway|tracks|rooftop|roof|overpass)\b"
     r"(?=\s*(?:[,.!?;]|$|(?:again|tonight|today|for (?:a|an|hours)|and|thinking|wondering|"
     r"every|alone|at night|in the dark|near)\b))|"
     r"\bhow (?:many|much) (?:\w+ )?(?:pills|tablets|mg|milligrams|of (?:my|these|the) \w+) "
     r"(?:it takes|would it take|does it take|would|to)\b|\bhow (?:high|tall|far down) "
     r"(?:is|would|does) (?:the|a|that)\b"),
]
# Risk reasons that count as the surrounding risk language for CONTEXT_PATTERNS.
CONTEXT_SUPPORT = frozenset({"intent", "plan", "means", "past_attempt", "self_harm", "ideation",
                             "passive_ideation", "psychiatric_hold", "self_harm_history"})

# Negation cues: if one stands within NEG_WINDOW tokens before a match (same clause), the
# statement is negated ("I would never hurt myself", "I'm not going to kill myself").
NEGATION_CUES = frozenset("""
never not no don't dont didn't didnt won't wont wouldn't wouldnt haven't havent hasn't
isn't isnt aren't wasn't weren't shouldn't couldn't cannot nor neither without stopped
quit against
""".split())
NEG_WINDOW = 4
# Words after a cue that cancel it ("can't stop thinking about", "not sure if", "no longer
# able"): the cue does not negate the risk phrase that follows.
NEGATION_CANCEL = re.compile(
    r"\b(?:not|n't|never|no|cannot) (?:sure|certain|know|think i can|stop|help|care|able to "
    r"(?:stop|resist)|resist|wait|even|just|only|anymore|afraid|scared|deny|ashamed|exaggerat)")
# Negation phrases that negate even at a distance in the clause.
NEGATION_PHRASES = re.compile(
    r"\b(?:would never|will never|could never|'d never|never would|never will|no intention|"
    r"no plans? to|not planning|not going to|not gonna|no longer|not suicidal|never (?:been|felt) "
    r"suicidal|never (?:tried|attempted|thought about)|don't want to (?:die|kill|hurt|end)|"
    r"do not want to (?:die|kill|hurt|end)|promised? (?:i|myself|her|him|them|you)|would not|"
    r"no desire to|not at risk|not in danger|not thinking (?:about|of)|haven't (?:cut|hurt|"
    r"self[- ]?harmed|harmed)|(?:months|years|days|weeks) (?:clean|free)|"
    r"(?:i'm|im|i am) safe|keep myself safe)\b")
# A "don't want to die / kill myself" is not ideation; but "don't want to live" is (it is
# matched directly by a passive-ideation pattern that includes the negation).
NEGATION_EXEMPT_REASONS = frozenset({"passive_ideation"})

# Third-person / reporting: the risk statement is about someone else, or is reported speech
# or hypothetical / generic talk.
THIRD_PERSON = re.compile(
    r"\b(?:my|our|his|her|their|a|the) (?:friend|friends|best friend|bff|sister|brother|mom|"
    r"mum|mother|dad|father|son|daughter|kid|child|cousin|aunt|uncle|grandma|grandpa|"
    r"grandmother|grandfather|partner|boyfriend|girlfriend|husband|wife|ex|roommate|coworker|"
    r"colleague|classmate|neighbou?r|patient|client|student|teammate|niece|nephew|fiance|"
    r"fiancee|stepdad|stepmom|family member|relative)s?\b(?:'s)?[\w' ]{0,30}?\b(?:tried|"
    r"attempted|killed|kill|hanged|hung|overdosed|died|committed|took|cut|cuts|wants?|said|"
    r"says|told|texted|threatened|posted|wrote|is|was|has|had|keeps|talks?|talked|mentioned|"
    r"admitted|confessed|planned|plans|swallowed|jumped|slit|shot|stabbed|survived|ended up|woke up|"
    r"stockpiled|saved|hoarded|hid|loaded|bought|overdoses|od'?d)\b|"
    r"\b(?:he|she|they|someone|somebody|people|a person|this guy|this girl|a guy|a girl|kids|"
    r"teens|others)\b[\w' ]{0,12}\b(?:tried|attempted|killed|kill|hanged|hung|overdosed|"
    r"committed|took|wants?|said|says|told me|texted|threatened|posted|cuts?|cutting|is "
    r"suicidal|was suicidal|'s suicidal|planned|plans|swallowed|jumped|slit|shot|survived|ended up|"
    r"woke up|stockpiled|saved|hoarded|loaded|bought|overdoses|od'?d)\b|"
    r"\b(?:himself|herself|themselves|themself|yourself|yourselves)\b|"
    r"\b(?:if you|when you|you (?:should|shouldn't|might|may|can|could|will|won't|are|were|"
    r"feel|want|have|'re|re)|for you|to you|you've|you're|youre)\b|"
    r"\b(?:movie|show|book|song|series|episode|documentary|character|article|news|celebrity|"
    r"actor|singer|podcast|game)\b|"
    r"\b(?:lost (?:my|a|her|his|our) \w+ to suicide|died by suicide|(?:his|her|their) "
    r"(?:suicide|attempt|overdose|death))\b")
# Reported speech: someone else's words about the writer ("he said I was worthless", "my mom
# keeps telling me I'm a burden"). The frame ends right before the risk words, in the same
# clause; a feeling or judgement inside it is the other person's, not the client's.
REPORTED_FRAME = re.compile(
    r"\b(?:he|she|they|someone|somebody|people|everyone|everybody|nobody|(?:my|his|her|their|"
    r"our|the|a|this|that) [\w']+(?: [\w']+)?|[a-z]+'s [\w']+)\b[\w' ]{0,25}?\b(?:said|says|say|"
    r"saying|told me|tells me|tell me|telling me|told|tells|called me|calls me|call me|calling me|"
    r"think|thinks|thought|believes?|believed|claims?|claimed|yelled|yells|screamed|screams|"
    r"shouted|shouts|insists?|insisted|asked(?: me)?|asks(?: me)?|asking(?: me)?|wrote|writes|"
    r"texted(?: me)?|texts me|accused me of being|implied|implies|made it sound like|acts? like|"
    r"acted like|treats? me like|treated me like)(?: that| like| if| whether)?[\s\"':,]*$")
# A third party named inside the risk phrase itself ("i've had a friend go after cutting").
THIRD_PARTY_INSIDE = re.compile(
    r"\b(?:friend|sister|brother|mom|mum|mother|dad|father|son|daughter|cousin|partner|"
    r"boyfriend|girlfriend|husband|wife|roommate|he|she|they|him|her|them|someone|somebody|"
    r"people|person|guy|girl|man|woman|kid|kids)\b")
# First-person anchors that win over a third-person cue ("my friend knows I tried to…").
FIRST_PERSON_STRONG = re.compile(
    r"\b(?:i|i'm|im|i've|ive|i'll|i'd|me|myself|my (?:life|attempt|plan|note|pills|wrists?))\b")

# Idioms and hyperbole: a match inside one of these spans is not risk language.
IDIOMS = re.compile(
    r"\b(?:(?:is|are|was|were|it's|its|this|that|these|those|they're|job|work|commute|boss|"
    r"traffic|class|exam|heat|feet|back|shoes|legs|kids|wait|suspense|noise|meeting|\w+) "
    r"(?:is |are |was |were )?(?:killing|kills|killed|gonna kill|going to kill|will kill|"
    r"'ll kill|might kill) me|"
    r"kill(?:ing)? (?:myself|me) (?:laughing|with laughter)|laugh(?:ed|ing)? (?:myself )?to death|"
    r"(?:dying|die|died) (?:to|of (?:laughter|embarrassment|boredom|shame|cringe|curiosity|"
    r"thirst|hunger|heat))|(?:bored|scared|worried|tickled|frozen|freezing|starving|sick) "
    r"to death|could (?:just )?kill (?:him|her|them|you|for)|kill for (?:a|an|some)|"
    r"(?:killing|killed|kill) it\b|dead (?:tired|serious|set|on|end|last|wrong|beat|weight)|"
    r"(?:i'm|im|i am|i was|literally) (?:dead|deceased|dying|crying) (?:😂|🤣|lol|lmao|haha)|"
    r"i'?m dead\b(?= ?(?:😂|🤣|lol|lmao|haha|💀))|(?:😂|🤣|lol|lmao|haha)[^.]*"
    r"(?:kill me|i'm dead|dying)|(?<!want )(?<!wanted )(?<!wanna )(?<!wish )(?<!wished )(?<!ready )(?<!deserve )(?<!tried )to die for|over my dead body|drop dead|"
    r"would (?:rather|sooner) die than (?:go|sit|eat|watch|do|attend|work|listen|wear|be seen)|"
    r"(?:shoot|kill) me now\b(?!.*(?:seriously|really|please|for real))|"
    r"killing time|kill (?:time|the (?:mood|vibe|lights|engine))|kill(?:ing)? (?:two birds|"
    r"the lights|the weeds|bugs|plants|my (?:plants|phone battery|battery|buzz))|"
    r"cutting (?:back|down|corners|it close|class|carbs|ties|onions|vegetables|hair|my hair|"
    r"the grass|the lawn|costs|out|off|in line)|cut (?:myself )?(?:some slack|a break|off)|"
    r"(?:hurt|kick|hate) myself for (?:not|missing|forgetting|being late)|"
    r"(?:fall|fell|falling|trip|tripped|tripping|slip|slipped|slipping)(?: over| down)? and "
    r"(?:hurt|injure|injured) myself(?! on purpose| deliberately| intentionally)|(?:accidentally|by accident) (?:hurt|cut|burn|burned|burnt) "
    r"myself|(?:hurt|injured) myself (?:at the gym|lifting|playing|running|by accident|accidentally)|"
    r"(?:my|the) (?:phone|battery|laptop|car|plant|plants|tv|game|character) (?:died|is dead|"
    r"was dead)|suicide (?:squad|doors|run|mission|burpees|sprints|drills)|"
    r"(?:a|the|my) (?:deadline|dead ?line)|(?:plan|planning|planned|plans) (?:a|the|my|our) "
    r"(?:trip|party|wedding|week|weekend|day|budget|meal|meals|route|vacation|holiday|move)|"
    r"(?:ended|end|ending) (?:it|things) with (?:him|her|them|my (?:ex|boyfriend|girlfriend|"
    r"partner))|end(?:ing)? (?:it|things) (?:with|between)|(?:went|go|going) overboard|"
    r"over ?dosed? on (?:coffee|caffeine|sugar|netflix|tv|chocolate|candy)|"
    r"jump(?:ing)? (?:off|in front of) (?:the|a) (?:couch|bed|diving board|stage|camera)|"
    r"(?:pills?|meds|medication) (?:for|to help|help) (?:my|with|sleep|anxiety|depression|"
    r"the pain|headaches?)|"
    # a weapon kept for protection or sport ("a gun to protect myself", "my rifle for hunting")
    r"(?:gun|guns|pistol|rifle|firearm|handgun|shotgun|knife)\b[\w' ,]{0,40}?\b(?:to protect|"
    r"for protection|protect(?:ing)? (?:myself|me|us|my family|the house)|defend(?:ing)? "
    r"(?:myself|me|us|my family)|for self[- ]defen[cs]e|for hunting|hunting season|at the "
    r"(?:shooting )?range)\b|(?:protect|defend)(?:ing)? (?:myself|me|us|my family) with "
    r"(?:a|my|the) (?:gun|pistol|rifle|knife)\b|"
    # trying to do anything but a way of dying ("attempting to describe it", "my attempt to
    # reach her"), cutting back, words that cut deep, hanging on (signals-5)
    r"attempt(?:s|ed|ing)? (?:to|at) (?!(?:kill|end|die|take|hang|overdose|od|commit|off|"
    r"jump|suicide|swallow|cut|hurt|harm|drown|shoot|poison|stab|slit|starve|bleed|gas|"
    r"suffocate|strangle|unalive|finish|go through)\b)[a-z]+\b|"
    r"\bcut(?:s|ting)? (?:back|down)\b|\bcut (?:it )?(?:out|short)\b|"
    r"\b(?:it|that|this|which|words?|what \w+ said) (?:really |still )?cuts? (?:me )?(?:really |so |pretty )?"
    r"deep(?:ly)?\b|\bcuts? me (?:really |so |pretty )?deep(?:ly)?\b|"
    r"\bhang(?:s|ing)? (?:on|in there|out|around|tight)\b(?! (?:a|the|my|from) (?:rope|noose|belt|"
    r"beam|tree|rafter|ceiling|door|bridge))|"
    r"attempts? (?:to|at) (?:make|fix|get|be|talk|explain|help|"
    r"reach|call|cook|bake|study|learn|quit)|(?:first|second|third|last|failed) attempt "
    r"(?:at|to) (?:the|my|passing|driving|baking|the exam|the test))")

# Risk topic words without a first-person anchor (used for the keyword baseline in bench and
# as a weak feature: a sentence about suicide in general, not a statement about oneself).
RISK_TOPIC = re.compile(
    r"\b(?:suicid\w*|kill(?:ing|ed)? (?:my|your|him|her|them)sel(?:f|ves)|overdos\w*|"
    r"self[- ]?harm\w*|cutting|cut|cuts|die|dying|dead|death|end (?:my|it)|noose|rope|pills|"
    r"tablets|meds|gun|knife|blade|razor|bridge|jump|hang|poison\w*|attempt\w*|bleed\w*|"
    r"go through with it|do it|wrists?|od|kms|hurt(?:ing)? myself|harm(?:ing)? myself)\b")

# ------------------------------------------------------------------------------ stress
# Body and mind words of a stress response, and their calm counterparts.
STRESS_TERMS = [
    "stress", "stressed", "stressful", "stressing", "overwhelmed", "overwhelming", "anxious",
    "anxiety", "panic", "panicking", "panicked", "freaking out", "freaked out", "worried",
    "worrying", "nervous", "tense", "on edge", "burnt out", "burned out", "burnout",
    "exhausted", "drained", "overworked", "can't sleep", "cant sleep", "couldn't sleep",
    "insomnia", "lying awake", "racing thoughts", "heart racing", "heart pounding",
    "chest tight", "tight chest", "chest is tight", "shaking", "trembling", "nauseous",
    "headache", "migraine", "can't breathe", "short of breath", "dread", "dreading",
    "deadline", "pressure", "bills", "rent", "debt", "evicted", "fired", "laid off",
    "can't cope", "falling apart", "breaking down", "breakdown", "at my limit", "losing it",
    "too much", "no time", "frantic", "restless", "irritable", "snapped", "clenched",
    "knots", "spiraling", "spiralling", "scared", "terrified", "afraid", "helpless",
    "trapped", "can't focus", "can't think", "freaking", "pressure",
]
CALM_TERMS = [
    "calm", "relaxed", "relaxing", "peaceful", "at peace", "rested", "slept well",
    "easy day", "quiet day", "content", "chill", "chilled", "unwound", "settled", "lighter",
    "breathing easier", "grounded", "steady", "fine", "okay day", "good day", "nice walk",
]

# ------------------------------------------------------------------------------ insight
INSIGHT_TERMS = [
    "i realize", "i realise", "i realized", "i realised", "i'm realizing", "im realizing",
    "i'm realising", "realizing that", "realising that", "it dawned on me", "dawned on me",
    "it hit me", "it clicked", "clicked for me", "i see now", "now i see", "i can see now",
    "i can see that", "i get it now", "i understand now", "i'm starting to understand",
    "starting to see", "beginning to see", "i've noticed", "i noticed", "i notice",
    "i'm noticing", "makes sense now", "it makes sense", "that makes sense", "that's why i",
    "thats why i", "which is why i", "the reason i", "i think it's because", "i think its because",
    "maybe it's because", "maybe its because", "it's not really about", "it isn't about",
    "it's not about", "isn't the", "it's actually", "it's really about", "what's really going on",
    "the real reason", "i've been telling myself", "i tell myself", "pattern", "i always do",
    "every time i", "whenever i", "i tend to", "same thing", "just like my", "like my dad",
    "like my mom", "like my mother", "like my father", "used to when", "growing up",
    "i learned", "i've learned", "i've learnt", "taught me", "figured out", "i figured",
    "i understand", "understanding", "in hindsight", "looking back", "i never noticed",
    "never thought of it", "never saw it", "connect", "connected", "connection between",
    "link between", "comes from", "stems from", "rooted in", "because i expect",
    "i expect to be", "afraid that", "it reminds me", "reminds me of", "it's me who",
    "i was the one", "i'm the one", "part of me", "i guess i", "i suppose i", "oh wow",
    "turns out", "come to think of it", "i wonder if", "it occurs to me", "occurred to me",
    "aha", "epiphany", "insight", "perspective", "i've been avoiding", "i avoid",
    "i'm avoiding", "i want to change", "i'm ready to", "i need to change", "i could try",
    "i'm going to try", "i can try", "next time i",
]
INSIGHT_BASELINE_TERMS = ["realize", "realise", "notice", "understand", "makes sense",
                          "i see now", "figured out"]

# ------------------------------------------------------------------------------ emotion
# Emotion words for the bench's lexicon baseline (the model itself learns from embeddings).
EMOTION_TERMS = {
    "anger": ["angry", "furious", "mad", "pissed", "annoyed", "irritated", "hate", "rage",
              "fed up", "livid", "frustrated", "stupid", "idiot", "wtf", "ugh"],
    "anxiety": ["anxious", "nervous", "worried", "worry", "panic", "stressed", "uneasy",
                "on edge", "overthinking", "confused", "unsure", "what if"],
    "sadness": ["sad", "depressed", "down", "lonely", "miserable", "crying", "cried", "hurt",
                "heartbroken", "disappointed", "grief", "miss", "unfortunately", "sucks"],
    "shame": ["ashamed", "embarrassed", "guilty", "my fault", "sorry", "humiliated",
              "pathetic", "worthless", "stupid of me", "regret", "cringe"],
    "fear": ["scared", "afraid", "terrified", "frightened", "fear", "horrified", "creepy",
             "scary"],
    "joy": ["happy", "glad", "love", "great", "awesome", "fun", "excited", "amazing", "lol",
            "haha", "funny", "proud", "beautiful", "wow", "cool", "best"],
    "calm": ["calm", "relaxed", "peaceful", "relieved", "okay", "fine", "agree", "care",
             "rested", "content", "safe"],
    "gratitude": ["thanks", "thank you", "thank", "grateful", "thankful", "appreciate"],
    "hope": ["hope", "hopefully", "looking forward", "optimistic", "wish", "can't wait",
             "want", "better soon", "will get better"],
}

# ------------------------------------------------------------------------------ courtesy
# Words of acknowledgement and courtesy turns ("ok", "thank you so much", "yes that helps",
# "mm-hmm", "good night"). A short sentence made only of these carries no emotion of its own
# in a conversation: its emotion is neutral, so a chat's many "thank you"s and "ok"s do not
# outvote what the client said (they read as gratitude / calm otherwise).
COURTESY_WORDS = frozenset("""
ok okay okey k kk oki okie yes yeah yea yep yup ya yah sure no nope nah right alright allright
all fine cool great good nice perfect awesome lovely wonderful thanks thank thankyou thanx thx
ty tysm u you too so much very lot a lots really for the your that this it help helps helped
helping helpful advice listening chat chatting talk talking time support tips suggestion
suggestions idea ideas appreciate appreciated i'll i will try do definitely will certainly
hi hello hey hiya bye goodbye night morning afternoon evening day see later soon take care
mm mmm hmm hm mhm mm-hmm uh-huh uh huh um umm oh ah ahh wow lol haha hahaha lmao got
understand understood know i and is was me to of sounds sound makes sense true exactly
absolutely totally indeed agreed agree welcome problem np of course same back again have
glad
""".split())
COURTESY_MAX_WORDS = 12

# ------------------------------------------------------------------------- keyword baseline
# The plain keyword list the bench compares risk against (no scoping of any kind).
RISK_BASELINE_URGENT = ["kill myself", "end my life", "take my life", "suicide attempt",
                        "tried to kill", "overdose", "overdosed", "noose", "hang myself",
                        "cut myself", "pills", "gun", "suicide plan", "suicide note"]
RISK_BASELINE_WATCH = ["suicide", "suicidal", "die", "dead", "death", "want to die",
                       "self harm", "self-harm", "cutting", "hopeless", "worthless",
                       "no reason to live", "better off dead", "end it"]


# Contractions typed without an apostrophe ("im", "dont"); "ill"/"wont"/"id" are left alone.
_CONTRACTIONS = {
    "im": "i'm", "ive": "i've", "dont": "don't", "cant": "can't", "didnt": "didn't",
    "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't", "werent": "weren't",
    "havent": "haven't", "hasnt": "hasn't", "wouldnt": "wouldn't", "couldnt": "couldn't",
    "shouldnt": "shouldn't", "arent": "aren't", "thats": "that's", "whats": "what's",
    "youre": "you're", "youve": "you've", "theyre": "they're", "ima": "i'm going to",
    "imma": "i'm going to", "gonna": "going to", "wanna": "want to", "gotta": "have to",
    "ill": "ill", "id": "id",
}
_CONTRACTION_RX = re.compile(r"\b(%s)\b" % "|".join(k for k, v in _CONTRACTIONS.items() if k != v))


def normalize(text: str) -> str:
    """Lower case, straight apostrophes and quotes, spelled-out contractions, single spaces."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    t = t.replace("\u201c", '"').replace("\u201d", '"')
    t = _CONTRACTION_RX.sub(lambda m: _CONTRACTIONS[m.group(1)], t)
    t = re.sub(r"\bid\b(?= (?:rather|just|really|certainly|probably|never|be|have|like|love|want|"
               r"kill|try|do|go|take|end|hate|sooner))", "i'd", t)
    t = re.sub(r"\b(my|your|him|her|them) (self|selves)\b(?![- ](?:harm|esteem|worth|image|care|"
               r"confidence|doubt|hatred|loathing))", r"\1\2", t)
    t = re.sub(r"\bi'?ll\b(?= (?:just |probably |finally |never |not |be |kill|end|do|go|"
               r"take|try|jump|hang|overdose|die|cut|hurt|have|make|get|still|always))", "i'll", t)
    return re.sub(r"\s+", " ", t).strip()


def term_regex(terms: list[str]) -> re.Pattern:
    """One word-bounded alternation of ``terms`` (longest first)."""
    alts = sorted({re.escape(t) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:%s)(?![\w'])" % "|".join(alts))
