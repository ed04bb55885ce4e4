"""Theme banks, part B: school, family_conflict, loneliness, parenting, body_image, social_anxiety,
relocation. Same keys as text_themes_a.py."""

SCHOOL = {
    "titles": ["Essay due", "Exams", "The grade", "Study group", "Procrastinating", "Supervisor meeting", "Coursework"],
    "topics": ["pressure around coursework deadlines", "disappointment about a grade",
               "anxiety before exams", "procrastination and falling behind on studies",
               "comparing themselves with classmates", "difficult feedback from a supervisor"],
    "situation": [
        "I have {course} due {deadline_day} and I've written about three hundred words.",
        "Got my mark back for {course} and it was way lower than I expected.",
        "Everyone in my study group seems to get it except me.", "Stayed up all night for {course} and still didn't finish.",
        "{prof} hasn't replied to my email about the extension.", "I opened the document, wrote the title and then cleaned my whole room.",
        "The library was full so I went home and did nothing.", "I've got three deadlines in the same week and a shift at work.",
        "I sat in the lecture and understood maybe a third of it.", "My {parent} asked about my grades on the phone and I changed the subject.",
        "I compared my notes with {friend}'s and mine look like a child wrote them.",
        "{prof} said my argument 'lacks focus' and didn't say what that means.",
        "I skipped the seminar because I hadn't done the reading and then felt worse.",
        "I've been 'about to start' {course} since Tuesday.",
    ],
    "trigger": [
        ("Failed the {course} midterm.", "failing a midterm"),
        ("{prof} said my draft 'needs a complete rethink' two weeks before it's due.", "harsh feedback on a draft close to the deadline"),
        ("Exam timetable came out and I have three in two days.", "a packed exam timetable"),
        ("I got an email about academic probation if my grades don't come up.", "a warning about academic probation"),
    ],
    "detail": [
        "The cursor just blinks at me.", "I had eleven tabs of sources and no sentences.", "I read the feedback on the bus and went hot all over.",
        "Everyone else left the exam early and I was still on question two.", "My desk is covered in highlighters and nothing highlighted.",
    ],
    "thought": [
        "What if I'm just not clever enough for this.", "Everyone will find out I got in by luck.",
        "If I don't get the grade, everything after falls apart.", "I keep thinking I should have picked something easier.",
    ],
    "implicit": [
        "Wrote one paragraph. Deleted it.", "The document is still called 'draft final FINAL'.",
        "Another day of 'starting tomorrow'.", "Couldn't face opening the portal.", "Everyone else was packing up and I was still reading the question.",
    ],
    "note": [
        "Library, four hours. Progress.", "Didn't open {course} today.", "Handed it in!", "Exam tomorrow. Revised what I could.",
        "Study group was actually helpful.", "Got a decent mark on {course}.", "Procrastinated by cleaning the oven.",
    ],
    "resolve": [
        "Got the extension and finished it, it's not brilliant but it's in.", "The exam was hard but I answered everything.",
        "Met {prof} and {prof} was kinder in person than in the email.",
    ],
    "good": [
        "Did two hours of work before lunch without checking my phone.", "Asked a question in the seminar and it was a good question.",
    ],
    "insight": [
        "I procrastinate because if I don't try properly I can't properly fail",
        "I've tied my whole sense of myself to grades since I was a kid",
        "I'm more scared of my {parent}'s face than of the actual grade",
    ],
    "subtle": [
        "I only freeze on the subjects my parents care about.", "When nobody's marking it I actually enjoy writing.",
    ],
    "emotions": ["stressed", "inadequate", "behind", "anxious", "discouraged"],
    "slots": {
        "course": ["stats", "organic chem", "my dissertation", "the history essay", "calculus", "the lab report",
                   "my thesis chapter", "the econ problem set"],
        "prof": ["my supervisor", "the professor", "Dr. Hale", "my tutor", "the module lead"],
    },
}

FAMILY_CONFLICT = {
    "titles": ["Family stuff", "The group chat", "After the phone call", "Holidays", "My {sib_rel}", "Boundaries", "Sunday lunch"],
    "topics": ["conflict with family members", "tension in the family group chat", "dread before a family gathering",
               "setting boundaries with parents", "a strained relationship with a sibling", "feeling criticised by family"],
    "situation": [
        "Another argument in the family group chat about {event}.", "{relative} made a comment about my job in front of everyone.",
        "My {sib_rel} and I haven't spoken since the thing at {event}.", "I'm expected to host {event} again and nobody asked.",
        "{relative} called to 'just check in' and it turned into a lecture.", "I muted the family chat and then felt guilty and unmuted it.",
        "My {parent} keeps bringing up the thing from years ago like it happened yesterday.",
        "{relative} asked when I'm going to 'settle down' at dinner.", "Everyone took {relative}'s side without hearing mine.",
        "I sat in the car outside my parents' place for {minutes} working up to it.", "My {sib_rel} borrowed money again and acts like it's a gift.",
        "I'm tired of being the one who smooths everything over.", "We had a nice dinner until someone mentioned politics.",
    ],
    "trigger": [
        ("Huge fight on the phone with {relative} about money and who owes who.", "a major argument with a family member"),
        ("{relative} hung up on me after I said I wasn't coming to {event}.", "conflict over skipping a family event"),
        ("My {sib_rel} told the whole family something I said in confidence.", "a broken confidence within the family"),
        ("My parents announced they're separating, at {event}, with everyone there.", "unexpected news of a parents' separation"),
    ],
    "detail": [
        "{relative} did that sigh, the one that means I've disappointed everyone.", "Nobody said anything, they all just looked at their plates.",
        "The message had three question marks and no hello.", "I could hear my {parent} in the background saying something about me.",
        "I said 'fine' about eleven times.",
    ],
    "thought": [
        "Why do I still care what they think.", "I'll always be the difficult one in their eyes.",
        "Maybe I'm the problem and everyone's too polite to say it.", "I don't know how to be myself around them.",
    ],
    "implicit": [
        "Forty messages in the chat by the time I woke up.", "Phone face down, not reading it.", "Left early again.",
        "Same argument, different year.", "I was fifteen again within about four minutes.",
    ],
    "note": [
        "Family dinner. Survived.", "Didn't reply to the chat. Fine.", "Good call with my {sib_rel}.", "Argued with {relative}.",
        "Said no to {event}. Shaky but proud.", "Quiet day, no family drama.",
    ],
    "resolve": [
        "My {sib_rel} rang and apologised, we talked for an hour.", "I wrote {relative} a calm message and they actually replied calmly.",
        "We agreed to not talk about it at {event}. Small peace.",
    ],
    "good": [
        "I left when it got heated instead of staying to fix it.", "Had a lovely afternoon with my {sib_rel}'s kids.",
    ],
    "insight": [
        "I still shrink back into being fifteen whenever I'm at my parents' table",
        "I keep trying to be the peacekeeper because that was my job growing up",
        "I want them to apologise more than I want to actually be close to them",
    ],
    "subtle": [
        "I'm fine with them one on one, it's only when everyone's together.", "I get the same stomach feeling when {boss} sighs.",
    ],
    "emotions": ["angry", "resentful", "hurt", "frustrated", "guilty"],
    "slots": {
        "relative": ["my dad", "my {parent}", "my {sib_rel}", "my stepdad", "my aunt", "my grandmother"],
        "event": ["Sunday lunch", "my cousin's wedding", "{holiday}", "my nephew's birthday", "Dad's sixtieth", "the christening"],
    },
}

LONELINESS = {
    "titles": ["Quiet weekend", "On my own", "No plans", "Reaching out", "Evenings", "Feeling left out"],
    "topics": ["loneliness and a lack of close contact", "feeling left out by friends", "long quiet weekends alone",
               "difficulty reaching out to people", "missing close friends who live far away"],
    "situation": [
        "Didn't speak to anyone out loud all weekend.", "Everyone in the group chat was making plans and nobody tagged me.",
        "Ate dinner in front of the TV again, it's the only voice in the {home}.",
        "Moved here eight months ago and still don't have anyone I could ring at short notice.", "{friend} cancelled again, said next week.",
        "Went to the climbing thing alone and left after twenty minutes.", "I talked to the cashier for longer than I needed to.",
        "My phone didn't buzz once between Friday and Monday.", "I scrolled through contacts looking for someone to text and didn't.",
        "Watched everyone's stories from a party I didn't know about.", "I say I like my own company but it's been a lot of my own company.",
        "I went to the cinema alone and sat in the dark feeling fine and then not fine.",
    ],
    "trigger": [
        ("Spent my birthday on my own. My {parent} rang, that was it.", "a birthday spent alone"),
        ("Saw photos of my friends at a dinner I wasn't invited to.", "finding out about a gathering they weren't invited to"),
        ("{friend} said she's moving abroad next month.", "a close friend announcing a move away"),
    ],
    "detail": [
        "The flat was so quiet I could hear the fridge.", "I made a cup of tea just to have something to do with my hands.",
        "I drafted a message to {friend} and it's still in drafts.", "Nobody noticed I left early.",
    ],
    "thought": [
        "Maybe people just don't think of me.", "I don't want to be the one who always reaches out.",
        "What if I'm hard to be friends with.", "Everyone seems to have their people already.",
    ],
    "implicit": [
        "Whole weekend, nobody.", "Talked to the cat more than to humans.", "Phone stayed quiet.", "Sunday evenings are very long.",
        "Ate standing up, nobody to sit with.",
    ],
    "note": [
        "Quiet weekend. Too quiet.", "Texted {friend} first. She replied!", "Went to the book club. Nervous but ok.",
        "Nobody to talk to tonight.", "Long call with {sib}. Needed that.", "Said hi to the neighbour properly.",
    ],
    "resolve": [
        "{friend} and I had a proper catch up and she said she'd missed me too.", "Signed up for the running club, first session Thursday.",
    ],
    "good": [
        "Had people over for dinner, first time in this {home}.", "The running club lot invited me to the pub after.",
    ],
    "insight": [
        "I wait for people to reach out so I never risk being turned down",
        "the loneliness is worst when I'm actually around people who don't really know me",
        "I've been calling it independence but a lot of it is fear",
    ],
    "subtle": [
        "Maybe I keep myself busy so the quiet doesn't catch up with me.", "It's never the weekdays. It's Saturday afternoon.",
    ],
    "emotions": ["lonely", "isolated", "left out", "sad", "empty"],
    "slots": {},
}

PARENTING = {
    "titles": ["Bedtime battles", "School run", "{kid}", "Parenting guilt", "Meltdown", "Teacher email", "Tired parent"],
    "topics": ["stress around a child's behaviour", "guilt after losing their temper with a child",
               "juggling work and childcare", "worry about a child's wellbeing at school", "exhaustion from bedtime routines"],
    "situation": [
        "{kid} had a meltdown at the school gate and I could feel everyone watching.", "Bedtime took two hours again.",
        "Got an email from {kid}'s teacher asking for a call.", "I shouted at {kid} about shoes and then felt terrible all day.",
        "{kid} won't eat anything that isn't beige.", "Juggling pick-up and a 4pm meeting again.",
        "{kid} was up at {night_time} with a bad dream and then so was I.", "Another note home about {kid} not listening in class.",
        "I was on a call and {kid} walked in asking for a snack, and {boss} smiled, but still.",
        "{kid} said all the other kids have phones.", "I spent the evening making a costume for a school thing I found out about at 6pm.",
        "Dinner was cereal. For everyone.", "{kid} cried at drop-off and I cried in the car.",
    ],
    "trigger": [
        ("School rang, {kid} got into a fight at lunch.", "a call from school about a child's fight"),
        ("{kid} told me {kid_he} hates me and slammed the door.", "a painful outburst from a child"),
        ("{kid} has refused to go to school all week.", "a child refusing to go to school"),
        ("{kid} got lost at the shopping centre for ten minutes.", "a frightening moment when a child went missing briefly"),
    ],
    "detail": [
        "{kid_he} threw {kid_his} shoe across the hallway.", "I counted to ten and got to about four.", "The other parents went silent.",
        "{kid_he} fell asleep on me in the end and I didn't dare move.", "I found {kid_his} drawing of our family and I was frowning in it.",
    ],
    "thought": [
        "I'm getting it all wrong.", "Other parents seem to have it so together.", "What if I'm passing all my anxiety straight to {kid_him}.",
        "I never wanted to be the parent who shouts.",
    ],
    "implicit": [
        "Bedtime, round two.", "Third email from the school this month.", "I lost it over socks. Socks.", "Survived the morning rush, barely.",
    ],
    "note": [
        "Bedtime went smoothly!", "{kid} had a good day at school.", "Shouted this morning. Apologised.", "Park with {kid}, lovely.",
        "School meeting tomorrow.", "Made pancakes with {kid}. Mess, fun.",
    ],
    "resolve": [
        "Met the teacher and we've got a plan, {kid} seems lighter already.", "{kid} came and hugged me and said sorry, and I said sorry too.",
    ],
    "good": [
        "Stayed calm through the whole bedtime meltdown. Proud.", "{kid} and I read together and {kid_he} laughed at all the voices.",
    ],
    "insight": [
        "when {kid} melts down I'm really reacting to how my own parents reacted to me",
        "I'm hardest on {kid} on the days I'm hardest on myself",
        "{kid} needs me calm more than {kid_he} needs me perfect",
    ],
    "subtle": [
        "I shout the most on days I haven't had a single minute to myself.", "Bedtime is fine when I'm not checking my phone.",
    ],
    "emotions": ["frustrated", "guilty", "exhausted", "worried", "overwhelmed"],
    "slots": {},
}

BODY_IMAGE = {
    "titles": ["Mirror", "Clothes", "Photos", "Eating", "That comment", "Changing room"],
    "topics": ["distress about body image", "avoiding photos and mirrors", "a hurtful comment about appearance",
               "anxiety around clothes shopping", "self-criticism about eating"],
    "situation": [
        "Tried on jeans in the changing room and had to leave.", "Someone at work commented on what I was eating.",
        "Saw a photo someone tagged me in and untagged it straight away.", "Skipped the pool with {friend} because of the changing rooms.",
        "Spent twenty minutes choosing a shirt that hides my arms.", "I avoided the mirror in the lift.",
        "Nothing in my wardrobe felt ok so I wore the same hoodie again.", "I cancelled a video call because I didn't like how I looked on camera.",
        "I ate lunch in my car so nobody would watch me.", "I keep zooming in on photos to check.",
        "Walked past a shop window and spent the afternoon thinking about it.",
    ],
    "trigger": [
        ("At the doctor's they weighed me and read the number out loud.", "distress after being weighed at an appointment"),
        ("{relative} said 'you've put on weight' at dinner in front of everyone.", "a family member commenting on weight"),
        ("The wedding photos came back and I can't stop looking at them.", "distress over photos from an event"),
    ],
    "detail": [
        "I stood sideways in the mirror for ages.", "I held my bag in front of me the whole time.", "I wore a coat all day even indoors.",
        "{friend} said I looked nice and I couldn't hear it.",
    ],
    "thought": [
        "Everyone must be looking.", "I'll feel better when I look different, I always tell myself that.",
        "I don't deserve new clothes until I've changed.", "I compare myself to every single person in the room.",
    ],
    "implicit": [
        "Changed three times and went back to the first outfit.", "Untagged. Again.", "Camera off all day.", "Avoided the mirror on purpose.",
    ],
    "note": [
        "Wore the dress. Felt ok.", "Bad body day.", "Ate lunch with colleagues. Fine.", "Didn't check the mirror much today.",
        "Bought jeans that fit now. Not 'one day'.",
    ],
    "resolve": [
        "I told {relative} those comments aren't ok and, to my surprise, they said sorry.", "Put the photos away and went for a swim anyway.",
    ],
    "good": [
        "Went swimming and thought about the water, not about me.", "Got dressed in ten minutes and didn't change once.",
    ],
    "insight": [
        "the critical voice about my body sounds exactly like my {parent}",
        "I pick my body apart most on the days I feel out of control elsewhere",
        "hiding has been costing me more than being seen would",
    ],
    "subtle": [
        "I don't think I've looked in a mirror without checking something since I was twelve.",
        "With {friend} I forget about it completely.",
    ],
    "emotions": ["ashamed", "self-conscious", "embarrassed", "disgusted", "sad"],
    "slots": {
        "relative": ["my aunt", "my {parent}", "my grandmother", "my {sib_rel}"],
    },
}

SOCIAL_ANXIETY = {
    "titles": ["Phone calls", "The party", "Speaking up", "After the meeting", "Small talk", "Replaying it"],
    "topics": ["anxiety in social situations", "avoiding phone calls", "replaying a conversation afterwards",
               "dread before a social event", "worry about being judged by others"],
    "situation": [
        "Spent the whole team lunch rehearsing what to say and then said nothing.",
        "I had to ring the bank and put it off all day.", "{friend} invited me to a party and I said maybe, which means no.",
        "I replayed one thing I said at dinner all night.", "Pretended to be busy on my phone in the lift so I wouldn't have to talk.",
        "Got to the café door and turned round.", "Someone said hi in the corridor and I said 'you too'.",
        "I wrote out a script for ordering a takeaway on the phone.", "I stayed in the toilet for ten minutes at the work drinks.",
        "I had my hand half up in the meeting and put it down.", "The doorbell went and I pretended I wasn't in.",
        "I practised my introduction in the car park.",
    ],
    "trigger": [
        ("I have to give a speech at {friend}'s wedding on Saturday.", "dread about giving a speech at a wedding"),
        ("There's an introductions round at the new group on Thursday.", "anticipatory anxiety about meeting a new group"),
        ("I said something awkward in front of the whole team and everyone went quiet.", "embarrassment after an awkward moment in a meeting"),
    ],
    "detail": [
        "My face went hot before I'd even said anything.", "I could hear my voice shaking.", "I checked the message six times before sending.",
        "I left the party without saying bye to anyone.",
    ],
    "thought": [
        "Everyone could tell I was nervous.", "They probably think I'm rude, or weird.", "I'll just embarrass myself, so why go.",
        "I keep thinking about how I looked from the outside.",
    ],
    "implicit": [
        "I couldn't even answer the phone.", "Let it go to voicemail again.", "Left early and said I had a headache.",
        "Replayed it in the shower. And in bed.", "Stayed in the kitchen all night by the snacks.",
    ],
    "note": [
        "Made the phone call!", "Skipped the drinks. Relief, then regret.", "Said hi to a new person.", "Awkward moment replaying.",
        "Went to the thing. Stayed an hour.",
    ],
    "resolve": [
        "Did the speech. My voice shook for the first line and then it was fine, people laughed in the right places.",
        "{friend} said nobody even noticed, and I think I believe her.",
    ],
    "good": [
        "Asked a stranger for directions without rehearsing.", "Spoke up in the meeting and the sky didn't fall.",
    ],
    "insight": [
        "I'm so busy watching myself that I don't actually hear what people say",
        "I assume people are judging me because I'm constantly judging myself",
        "leaving early makes the next time harder, not easier",
    ],
    "subtle": [
        "With {friend} I'm totally fine, it's new people.", "On the phone it's worse than face to face, I can't see if they're annoyed.",
    ],
    "emotions": ["nervous", "embarrassed", "self-conscious", "anxious", "awkward"],
    "slots": {},
}

RELOCATION = {
    "titles": ["New city", "Boxes", "Homesick", "Settling in", "The move", "Starting over"],
    "topics": ["settling into a new city", "homesickness after moving", "the stress of moving house",
               "building a routine in a new place", "missing friends back home"],
    "situation": [
        "Boxes everywhere, I can't find a single mug.", "The new city still feels like someone else's.",
        "I got lost on the way to the pharmacy, which is a ten minute walk.", "Nobody at the new office knows my name yet.",
        "Called home and everyone was at {event} without me.", "I don't know where anything is in the supermarket.",
        "The {home} echoes, there's no furniture yet.", "I keep translating prices back into what they'd cost at home.",
        "The neighbours are nice but I can't tell if they want to chat or not.", "I've eaten at the same café five times because it's the one I know.",
    ],
    "trigger": [
        ("The landlord wants us out by the end of the month.", "pressure from a sudden move-out deadline"),
        ("The move fell through the day before the van was booked.", "a move falling through at the last minute"),
        ("Missed {friend}'s party back home and watched it all on my phone.", "homesickness after missing an event at home"),
    ],
    "detail": [
        "I slept on a mattress on the floor.", "The street noise is totally different here.", "My old keys are still on my keyring.",
    ],
    "thought": [
        "What if I made a huge mistake.", "Everyone back home is carrying on without me.", "It might never feel like home.",
    ],
    "implicit": [
        "Another evening unpacking the same box.", "Still calling the old place home by accident.", "Got lost again. Took a photo of the street sign.",
    ],
    "note": [
        "Unpacked the kitchen. Progress.", "Found a good bakery.", "Homesick today.", "Walked a new route, nice park.", "Put pictures up.",
    ],
    "resolve": [
        "Found a new place, smaller but fine. Signed today.", "The boxes are gone and it looks like a home now.",
    ],
    "good": [
        "Someone in the shop recognised me and said hi.", "Knew the way without my phone today.",
    ],
    "insight": [
        "I thought moving would fix things but I brought all of it with me",
        "I'm waiting to feel at home instead of doing the things that make somewhere home",
    ],
    "subtle": [
        "I keep calling the old place home.", "Funny, I was restless there too.",
    ],
    "emotions": ["homesick", "unsettled", "lonely", "hopeful", "overwhelmed"],
    "slots": {
        "event": ["Sunday lunch", "{holiday}", "my cousin's wedding", "the pub quiz", "a birthday"],
    },
}

THEMES_B = {
    "school": SCHOOL,
    "family_conflict": FAMILY_CONFLICT,
    "loneliness": LONELINESS,
    "parenting": PARENTING,
    "body_image": BODY_IMAGE,
    "social_anxiety": SOCIAL_ANXIETY,
    "relocation": RELOCATION,
}
