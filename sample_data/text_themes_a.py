"""Theme banks, part A: work_pressure, breakup, caring_for_parent, grief, sleep, money, health_anxiety.

Keys of a bank (see textbank.py for how they are used):
  titles     conversation titles
  topics     third-person summary phrases ("dread before a performance review")
  situation  first-person everyday situations (conversation openers, notes)
  trigger    (text, summary topic) pairs that start a stress episode
  detail     concrete follow-up details
  thought    what goes through the client's mind
  implicit   lines that do not name the theme; context tells what they are about
  note       short journal lines for check-ins
  resolve    how an episode settled
  good       better days, progress
  insight    cores for explicit insights ("I think I realize <core>")
  subtle     insights without marker words
  emotions   feelings-wheel words typical for the theme
  slots      theme-specific slot values
"""

WORK_PRESSURE = {
    "titles": ["Before the review", "Inbox again", "Too many meetings", "That comment", "Deadline week",
               "Work stuff", "After the call", "Saying no", "Monday prep", "The reorg"],
    "topics": ["pressure from an approaching work deadline", "a critical comment from their manager",
               "an overloaded workload and long hours", "worry about an upcoming performance review",
               "difficulty switching off from work in the evenings", "feeling overlooked at work",
               "uncertainty about a restructuring at work", "trouble saying no to extra tasks"],
    "situation": [
        "{boss} said {comment} in {meeting} and I've been replaying it {time_span}.",
        "I have {deliverable} due {deadline_day} and I'm maybe half done.",
        "Opened {workthing} this morning and there were {count} unread messages.",
        "{boss} put a 'quick chat' in my calendar for tomorrow with no agenda.",
        "Stayed at my desk until {late_time} again finishing {deliverable}.",
        "Someone else presented {deliverable} as their work and I didn't say anything.",
        "I answered emails from bed before I'd even sat up.",
        "We lost another person on the team so I'm covering two jobs now.",
        "{boss} sent back {deliverable} with comments on nearly every page.",
        "I froze when {boss} asked me a straight question in {meeting}.",
        "Got pinged at {late_time} about {deliverable} and felt my whole evening go.",
        "Reviews are coming up and nobody will say what the criteria actually are.",
        "My calendar is back to back from nine to five tomorrow, no lunch.",
        "I said yes to another project when I already can't keep up.",
        "{coworker} keeps handing me things at the last minute like it's nothing.",
        "There's a restructure announcement on {deadline_day} and everyone is whispering about it.",
        "Took my laptop away for the weekend again, just in case.",
        "I keep checking {workthing} on my phone during dinner.",
        "{boss} cancelled our one-on-one for the third week running.",
        "I spent {minutes} writing a two-line email to {boss}.",
        "The client moved the goalposts on {deliverable} again.",
        "I'm doing the job of the person above me without the title or the money.",
        "{coworker} got the promotion I applied for.",
        "I had to redo {deliverable} from scratch because the brief changed.",
    ],
    "trigger": [
        ("{boss} moved my review up to {weekday} and I haven't started the self-assessment.",
         "dread after a performance review was moved up"),
        ("Found out in {meeting} that {deliverable} is now due {deadline_day}, a week early.",
         "a deadline that was suddenly moved forward"),
        ("{boss} copied {boss_his} own manager on an email about my mistake.",
         "feeling exposed after a manager escalated a mistake"),
        ("They announced layoffs today and my team wasn't mentioned either way.",
         "uncertainty after layoffs were announced"),
        ("There's a meeting with HR and {boss} in my calendar for tomorrow, no explanation.",
         "anxiety about an unexplained HR meeting"),
        ("I presented {deliverable} and the client picked it apart in front of everyone.",
         "a presentation that went badly in front of a client"),
        ("I missed a deadline for the first time in years and {boss} definitely noticed.",
         "shame after missing a deadline"),
        ("{boss} told me in {meeting} that my work 'isn't at the level we need'.",
         "harsh feedback from a manager in front of colleagues"),
    ],
    "detail": [
        "{boss_he} didn't even look up from {boss_his} laptop.", "It was the way {boss_he} said it more than what {boss_he} said.",
        "I reread {boss_his} message about ten times trying to work out the tone.", "The annoying part is I actually like the work itself.",
        "Everyone else looked fine, it was just me sweating.", "Ate lunch at my desk over the keyboard again.",
        "I had the reply drafted and deleted it twice.", "{coworker} messaged after like 'you ok?' which somehow made it worse.",
        "The meeting was supposed to be thirty minutes and went ninety.", "I could hear my own voice going up at the end of every sentence.",
        "I've got {count} tabs open and all of them are urgent.", "Nobody said anything when I logged off at six, but I felt it.",
        "I kept refreshing {workthing} waiting for {boss_him} to reply.", "I had my camera off so nobody saw my face go red.",
    ],
    "thought": [
        "What if this is the thing that gets me let go.", "I keep thinking they'll finally work out I don't know what I'm doing.",
        "Part of me thinks I should just quit, but then what.", "If I say no once they'll decide I'm not a team player.",
        "Everyone else seems to manage this fine, so it must be me.", "I keep doing the maths on how many hours are left before {deadline_day}.",
        "Nobody will remember this in a month but right now it feels enormous.", "I can't tell anymore if I'm bad at this or if it's just too much.",
        "I keep writing replies to {boss} in my head in the shower.", "What if they're already talking about me in some meeting I'm not in.",
    ],
    "implicit": [
        "Another one of those days where I said yes to everything.", "My phone buzzed at dinner and I just knew.",
        "Same knot every time I see that name pop up.", "I couldn't even look at the screen after lunch.",
        "Spent an hour staring at the first slide.", "Still haven't answered it. It's just sitting there, bold.",
        "The little red number keeps going up.", "Three hours of calls and I can't tell you what was decided.",
        "I'm so behind I don't know which thing to be behind on first.", "I heard the notification sound in my sleep, I swear.",
    ],
    "note": [
        "Long day. {deliverable} still not done.", "{meeting} ran over again, skipped lunch.", "Inbox zero for about four minutes.",
        "Left work on time for once.", "{boss} said thanks today. Weirdly made my week.", "Worked late. Back hurts.",
        "Dreading tomorrow's {meeting}.", "Said no to an extra task. Felt awful, then fine.", "Logged off at 6 and stayed off.",
        "Phone on silent after 8. Small win.", "{count} emails. Answered maybe half.", "Deadline {deadline_day}. Not ready.",
        "Good meeting for once, people listened.", "Lunch away from my desk, actual sunlight.",
    ],
    "resolve": [
        "The review was actually fine, {boss} said I'm doing well, which is almost annoying after all that worry.",
        "Sent {deliverable} in. Not perfect, but it's gone.", "Talked to {boss} and it was nowhere near as dramatic as in my head.",
        "Turns out the meeting was about scheduling. Two days of dread for a calendar thing.",
        "Asked for an extension and they just said yes, like it was nothing.",
        "The restructure doesn't touch my team. I slept properly last night.",
    ],
    "good": [
        "Work was calm today for once.", "Finished {deliverable} early and took a proper lunch.",
        "I told {boss} I couldn't take on the extra project and {boss_he} was fine about it.",
        "Closed the laptop at six all week. It's starting to feel normal.",
        "I spoke up in {meeting} and it went fine, people nodded.",
    ],
    "insight": [
        "it isn't the deadline that scares me, it's the idea of {boss} being disappointed",
        "I treat every comment from {boss} like a verdict on me as a person",
        "I say yes to everything because I'm afraid of looking lazy",
        "the tightness starts before I even open {workthing}",
        "I've been measuring my whole week by whether {boss} replies with a thumbs up",
        "I work late because leaving on time feels like I'm getting away with something",
    ],
    "subtle": [
        "Maybe it's not the review I'm scared of, it's {boss}.",
        "Weird how I only get this when the message is from {boss}, never from anyone else.",
        "I did exactly the same thing at my last job, come to think of it.",
        "Funny, the client stuff I handle fine, it's only the internal meetings that get me.",
        "It's the same silence I used to get at home when my grades slipped.",
    ],
    "emotions": ["overwhelmed", "inadequate", "anxious", "frustrated", "pressured"],
    "slots": {
        "deliverable": ["the quarterly deck", "the budget forecast", "the client report", "the migration plan",
                        "my slides", "the audit notes", "the grant draft", "the release notes", "the tender",
                        "the board pack"],
        "meeting": ["standup", "the all-hands", "our one-on-one", "the client call", "the Monday sync",
                    "the planning meeting", "the team retro"],
        "workthing": ["Slack", "my inbox", "Teams", "the project board", "my calendar", "Outlook"],
        "count": ["forty", "sixty", "over a hundred", "thirty-something", "ninety", "eighty-two"],
        "comment": ["\"we need to talk about your pace\"", "\"this isn't what we discussed\"",
                    "\"I expected more from you on this\"", "\"let's take this offline\"",
                    "\"can you walk me through your thinking here\"", "\"is this really the final version?\"",
                    "\"interesting choice\""],
    },
}

BREAKUP = {
    "titles": ["Missing them", "The message", "Weekends alone", "Moving on?", "Their photos",
               "Anniversary", "Late night", "Letting go"],
    "topics": ["missing an ex-partner after a breakup", "the urge to contact an ex-partner",
               "loneliness at weekends since a breakup", "seeing an ex-partner's posts online",
               "sorting belongings after a relationship ended", "doubts about why the relationship ended",
               "a first date since the breakup"],
    "situation": [
        "{ex} posted a photo from {place} and I looked at it way too long.",
        "I still have {item} of {ex_his} in the wardrobe and I can't decide what to do with it.",
        "It's been {months} and I still reach for my phone to tell {ex} things.",
        "Saw {ex_his} car outside {place} and took the long way home.",
        "A mutual friend mentioned {ex} is seeing someone new.",
        "I cooked tonight and made enough for two out of habit.",
        "Deleted the photos off my phone and then found them all again in the backup.",
        "Our song came on in the supermarket and I had to leave the queue.",
        "I unfollowed {ex} and then checked {ex_his} profile anyway.",
        "Weekends are the worst, that's when we'd do everything together.",
        "Signing the lease on my own felt so final.",
        "I went on a date and spent the whole time comparing.",
        "The bed still feels too big.",
        "{friend} keeps telling me I'm better off, which I know, but still.",
        "I walked past {place} and we used to go there every Sunday.",
        "{ex_his} mum sent me a birthday message and I didn't know how to reply.",
        "I found a receipt in my coat from our last dinner out.",
        "Everyone at the party asked where {ex} was.",
    ],
    "trigger": [
        ("{ex} texted 'hope you're doing ok' out of nowhere last night.", "a sudden message from an ex-partner"),
        ("I had to meet {ex} to swap back {item} and {ex_he} acted like nothing had happened.",
         "seeing an ex-partner to return belongings"),
        ("Found out {ex} is moving in with someone, barely {months} after we ended it.",
         "news that an ex-partner has moved on"),
        ("It would have been our anniversary today.", "a difficult anniversary after a breakup"),
        ("Ran into {ex} at {place} with someone new, and {ex_he} just said hi like I was anyone.",
         "an unexpected encounter with an ex-partner"),
    ],
    "detail": [
        "{ex_he} used to put the kettle on for me in the mornings.", "I typed out a long message and deleted it at the last second.",
        "I keep finding {ex_his} stuff in random drawers.", "The worst part is how normal {ex_he} seemed.",
        "I walked past our old place on purpose. No idea why.", "I still have {ex_his} number saved under the silly nickname.",
        "I put {ex_his} mug at the back of the cupboard but I can still see it.", "{ex_his} side of the wardrobe is just empty hangers.",
        "The photo was at {place}, which was our place.", "I read our old messages until {late_time}.",
    ],
    "thought": [
        "I keep going over the last month trying to find the exact moment it went wrong.", "What if I was the problem the whole time.",
        "Part of me still thinks we could fix it, which I know is silly.", "I'm scared I'll never feel that comfortable with someone again.",
        "I wonder if {ex_he} thinks about me at all.", "I keep imagining {ex_him} being happier without me.",
        "Maybe I expected too much, or too little, I don't even know.", "I hate that I still want {ex_his} approval.",
    ],
    "implicit": [
        "I almost texted again tonight.", "Still sleeping on one side of the bed.", "Checked the profile again. I know. I know.",
        "Didn't cry today, so that's something.", "Saw the photo and my stomach just dropped.", "The flat is so quiet in the evenings.",
        "Still wearing the jumper. Not ready.", "Typed it, deleted it, typed it again.",
    ],
    "note": [
        "Quiet evening. Missed {ex} more than I expected.", "Cleared out a drawer of {ex_his} things.",
        "Didn't check {ex_his} profile today.", "Dinner with {friend}, felt almost normal.", "Weekend alone again. Too much time to think.",
        "Walked past {place}. Kept walking.", "Muted {ex} everywhere. Breathing.", "Took the photos down from the fridge.",
        "Laughed properly for the first time in weeks.",
    ],
    "resolve": [
        "Muted the number for now and it feels like I can breathe a bit.", "Replied something short and polite and left it there.",
        "Gave {item} back and walked home the long way. It was ok.", "Told {friend} everything and cried and then we got chips.",
        "I didn't reply in the end. Proud of that.",
    ],
    "good": [
        "First morning in a while I didn't think about {ex_him} first thing.", "Rearranged the bedroom, it feels like mine now.",
        "Booked a trip with {friend}, something just for me.", "Saw a photo of {ex} and it was just a photo.",
    ],
    "insight": [
        "I miss having someone to tell about my day more than I miss {ex} specifically",
        "I keep checking {ex_his} profile to feel something, even if it hurts",
        "I'm grieving the future we planned, not the actual relationship",
        "I made myself smaller in that relationship to keep the peace",
    ],
    "subtle": [
        "Maybe what I miss is the routine, not {ex_him}.", "It's always the evenings, never the mornings.",
        "I was lonely in that relationship too, honestly.", "I only want to text when I've had a bad day at work.",
    ],
    "emotions": ["hurt", "lonely", "rejected", "heartbroken", "confused"],
    "slots": {
        "place": ["the café on the corner", "our old bakery", "the market", "the park by the river", "the station",
                  "that Thai place", "the beach"],
        "item": ["a hoodie", "the good frying pan", "a box of books", "the spare keys", "a phone charger",
                 "the plant we bought together", "a record player"],
    },
}

CARING_FOR_PARENT = {
    "titles": ["Looking after {cared}", "Another appointment", "Carer cancelled", "Guilt", "Long drive",
               "Who helps me?", "Phone calls", "The assessment"],
    "topics": ["the strain of caring for an ageing parent", "juggling work with a parent's medical appointments",
               "guilt about wanting time away from caregiving", "worry about a parent's memory problems",
               "frustration that siblings do not share the caring", "a parent's declining health"],
    "situation": [
        "Drove {drive} to take {cared} to {appt} and then straight back to work.",
        "{cared} rang three times this afternoon asking the same question.",
        "Spent Saturday {task} at {cared_his} place.", "{cared} couldn't remember whether {cared_he} took {cared_his} tablets again.",
        "My {sib_rel} says they can't help this month, again.", "The carer cancelled this morning and I had to leave work early.",
        "{cared} got cross with me for moving things in {cared_his} kitchen.", "We've got the assessment for more support next week.",
        "The stove was on when I got there.", "I'm doing {cared_his} shopping and mine and it's all blurring together.",
        "The discharge papers are still on my passenger seat.", "{cared} didn't recognise the neighbour today.",
        "Sorted {cared_his} pill organiser for the week and found last week's still full.",
        "{cared} asked when Grandma was visiting. She's been gone twenty years.",
        "I took a call from {cared_his} doctor in the stairwell at work.", "I'm using my annual leave for {appt} appointments.",
        "{cared} wants to keep driving and I don't know how to say no.",
    ],
    "trigger": [
        ("{cared} had a fall this morning and we spent six hours in {er}.", "a parent's fall and a long hospital visit"),
        ("Got a call from {cared_his} neighbour that {cared_he} was outside in slippers at 6am.",
         "a frightening call about a parent wandering outside"),
        ("The doctor said we need to start thinking about a care home.", "a doctor raising the question of residential care"),
        ("{cared} said I'm treating {cared_him} like a child when I tried to help with the bills.",
         "a painful argument while helping a parent"),
        ("{cared} had a bad turn in the night and the ambulance came.", "an emergency with a parent overnight"),
    ],
    "detail": [
        "{cared_he} had {cared_his} coat on inside the house.", "The fridge had three open cartons of milk.",
        "I sat in the car for ten minutes before I could go in.", "I kept my voice calm but my hands shook on the wheel after.",
        "{cared_he} kept apologising, which was worse than the shouting.", "The waiting room chairs were bolted together and I sat there for four hours.",
        "{cared_he} called me by my {sib_rel}'s name twice.", "There was a stack of unopened post behind the door.",
        "{cared_his} hands looked so small on the blanket.",
    ],
    "thought": [
        "I feel like I'm losing {cared_him} a little every week.", "What if something happens when I'm not there.",
        "I live closest so it's all on me.", "I feel guilty for even wanting a weekend off.",
        "I'm not sure how long I can keep doing this and also work.", "I keep thinking I should be more patient than I am.",
        "Nobody asks how I'm doing, only how {cared} is.",
    ],
    "implicit": [
        "Phone rang at 7am and my heart just dropped.", "Another day of being everyone's person.",
        "Missed a call from {parent} and spent the whole drive imagining the worst.", "Sat in the car outside for a while.",
        "Three calls before lunch. Same question each time.", "Didn't make it to my own thing again.",
    ],
    "note": [
        "Took {cared} to {appt}. Long day.", "{cared} was in good spirits today.", "Missed a call from {parent}, all fine in the end.",
        "Rang my {sib_rel}, went nowhere.", "Shopping for two households.", "Carer came on time. Small mercies.",
        "{cared} remembered my birthday. Made me cry.", "Two hours at {cared_his} place, then work.",
    ],
    "resolve": [
        "{cared} is home and settled, the nurse comes twice a day now.", "My {sib_rel} finally offered to take two weekends a month.",
        "We got the extra care hours approved.", "{cared} apologised and we had tea and it was ok.",
        "The scan was clear, it was just bruising.",
    ],
    "good": [
        "Had a proper afternoon with {cared}, we looked at old photos and {cared_he} remembered everything.",
        "Took a whole Saturday for myself and the world didn't end.", "The new carer is lovely, {cared} likes her.",
    ],
    "insight": [
        "I've been trying to fix something that can't be fixed", "a lot of the anger I feel is actually grief",
        "I never ask for help because growing up I was the one holding things together",
        "I'm exhausted from pretending I don't mind",
    ],
    "subtle": [
        "Maybe I'm already grieving {cared_him}, and {cared_he}'s still here.",
        "I get snappy with {cared_him} right after I've spoken to my {sib_rel}, never before.",
        "It's not the driving that wears me out, it's the waiting for the next call.",
    ],
    "emotions": ["guilty", "exhausted", "resentful", "worried", "sad"],
    "slots": {
        "appt": ["the cardiologist", "the memory clinic", "physio", "the GP", "the neurologist", "the eye clinic", "the hearing test"],
        "task": ["sorting the pill organiser", "doing the weekly shop", "cleaning the bathroom", "paying {cared_his} bills",
                 "bleeding the radiators", "picking up prescriptions"],
        "drive": ["forty minutes", "an hour", "two trains", "ninety minutes"],
    },
}

GRIEF = {
    "titles": ["Missing {lost}", "The anniversary", "Their things", "A dream", "Grief", "Remembering", "Quiet day"],
    "topics": ["grief after the loss of a loved one", "sudden waves of missing someone who passed",
               "guilt about moving on after a loss", "sorting a late relative's belongings",
               "fear of forgetting a loved one's voice", "grief resurfacing around an anniversary"],
    "situation": [
        "Found {object} in a drawer and just sat on the floor for a while.",
        "It's been {grief_time} since {lost} passed and people have stopped asking.",
        "I picked up the phone to ring {lost} before I remembered.", "{lost_his} birthday is next week.",
        "Someone at work was moaning about their {rel_generic} and I had to leave the room.",
        "Heard {lost_his} favourite song in a shop and had to go outside.",
        "We still haven't gone through {lost_his} things, the boxes are in the spare room.",
        "I dreamt about {lost_him} again, {lost_he} was just making tea like normal.",
        "I can't remember exactly how {lost_his} voice sounded and that scares me.",
        "Went to the cemetery for the first time in a while.", "I set out two cups without thinking.",
        "People keep saying 'at least {lost_he} isn't suffering' and I want to scream.",
        "I drove past the hospital and my hands went cold.", "I still have {lost_his} number in my phone.",
        "{lost_his} handwriting was on an old shopping list in a cookbook.",
    ],
    "trigger": [
        ("Today is one year since {lost} passed.", "the first anniversary of a loss"),
        ("We had to clear out {lost_his} {home} this weekend.", "clearing out a late relative's home"),
        ("Someone called about the estate paperwork and it all came flooding back.", "paperwork after a death bringing grief back"),
        ("I heard a voice on the bus that sounded exactly like {lost}.", "a sudden reminder of a loved one"),
        ("The headstone finally went up today.", "visiting a newly placed headstone"),
    ],
    "detail": [
        "It still smelled like {lost_him}.", "{lost_his} glasses were folded on the bedside table like {lost_he} was coming back.",
        "I kept the voicemail. I can't listen to it but I can't delete it.", "There was still a shopping list on the fridge in {lost_his} writing.",
        "Everyone else was talking about holidays and I just nodded.", "I wore {lost_his} watch today.",
    ],
    "thought": [
        "I keep thinking about the last conversation we had and what I should have said.", "Part of me feels guilty for having a normal day.",
        "I don't know who I'm supposed to be now.", "What if I'm forgetting {lost_him} already.",
        "It feels wrong that the world just carried on.", "I keep wondering if {lost_he} knew how much I loved {lost_him}.",
    ],
    "implicit": [
        "It hit me in the supermarket of all places.", "Some days I forget for a second and then it lands again.",
        "Sat in the car and let it come.", "I couldn't say the name out loud today.", "Waves, all day.",
        "Everyone has moved on and I'm still in March.",
    ],
    "note": [
        "Thought about {lost} a lot today.", "Looked at old photos. Good and hard.", "Cemetery. Brought flowers.",
        "Missed {lost} at dinner.", "Made {lost_his} recipe. Nearly right.", "A good memory came back today.",
        "Quiet. Heavy.", "Told {friend} a funny story about {lost}. Felt good to laugh.",
    ],
    "resolve": [
        "We got through the day. My {sib_rel} and I went to {lost_his} favourite pub and told stories.",
        "Boxes are done. I kept {object}.", "Paperwork signed. I cried in the car and then felt lighter.",
    ],
    "good": [
        "I talked about {lost} today and smiled instead of crying.", "Planted something in the garden for {lost_him}.",
        "A whole day where it felt like missing, not like drowning.",
    ],
    "insight": [
        "I've been staying busy so I don't have to feel how much I miss {lost_him}",
        "the guilt is just love with nowhere to go",
        "I'm scared that feeling better means letting {lost_him} go",
        "I get angry at people complaining about their parents because I'd give anything to have that",
    ],
    "subtle": [
        "Maybe the tiredness is the grief.", "It's worst on Sunday mornings, that's when we used to talk on the phone.",
        "I think I kept {lost_his} number so there's still somewhere to send things.",
    ],
    "emotions": ["sad", "longing", "numb", "empty", "guilty"],
    "slots": {
        "object": ["{lost_his} reading glasses", "{lost_his} old jumper", "a birthday card in {lost_his} writing",
                   "{lost_his} recipe book", "a photo of us at the seaside", "{lost_his} watch"],
        "grief_time": ["seven months", "almost a year", "eight months", "five months"],
        "rel_generic": ["mum", "dad", "mother-in-law", "nan"],
    },
}

SLEEP = {
    "titles": ["Awake again", "3am", "Tired", "Bedtime", "Can't switch off", "No sleep", "Night brain"],
    "topics": ["broken sleep and waking in the early hours", "difficulty falling asleep with a racing mind",
               "exhaustion after several poor nights", "a bedtime routine that keeps slipping",
               "worrying about not sleeping"],
    "situation": [
        "Woke up at {night_time} and my brain just started going.", "Slept maybe four hours.",
        "Lay there from {night_time} until the alarm.", "Took ages to drop off, kept checking the clock.",
        "Tried going to bed earlier and just lay there.", "Had a coffee at 4pm, which was a mistake.",
        "The neighbour's dog barked at {night_time} again.", "Scrolled my phone in bed for an hour knowing I shouldn't.",
        "I'm so tired I put the milk in the cupboard.", "Napped after work and then couldn't sleep at all.",
        "Woke up with my heart racing at {night_time} and no idea why.", "My {mate} came in at {night_time} and that was it for me.",
        "I've started dreading going to bed, which makes no sense.", "I did everything right, no screens, warm shower, and still nothing.",
        "I keep waking up at exactly the same time, like an alarm.",
    ],
    "trigger": [
        ("Third night in a row awake at {night_time}.", "several nights of broken sleep"),
        ("Didn't sleep at all last night, not even a little.", "a night without sleep"),
        ("Nodded off at my desk this afternoon and {coworker} saw.", "falling asleep at work after poor nights"),
    ],
    "detail": [
        "I watched the ceiling go from black to grey.", "I counted backwards from 300 twice.", "The clock said {night_time} every time I looked.",
        "My eyes felt like sandpaper all day.", "I read the same page four times.", "Every little noise sounded massive.",
    ],
    "thought": [
        "Lying there I start planning tomorrow and then it's 4am.", "I do the maths on how many hours I'll get if I fall asleep right now.",
        "I'm scared of another night like that.", "Everything feels worse at that hour.",
    ],
    "implicit": [
        "It kept me up again.", "Same thing, eyes open at {night_time}.", "Running on fumes today.",
        "Everything is louder when you're this tired.", "Fourth coffee. Still foggy.", "Another night of ceiling watching.",
        "I could barely string a sentence together by lunch.",
    ],
    "note": [
        "Bad night.", "Slept through! First time in ages.", "Up at {night_time} again.", "Tired. Early night planned.",
        "Phone out of the bedroom. Trying it.", "Woke up twice, went back to sleep both times.", "Foggy all day.",
        "Decent sleep. Feel human.",
    ],
    "resolve": [
        "Finally slept seven hours. Feels like a different world.", "Went to bed at ten with a book and actually slept.",
        "Two good nights in a row now.",
    ],
    "good": [
        "The wind-down thing is working, asleep by eleven three nights this week.", "Woke up before the alarm and felt rested.",
    ],
    "insight": [
        "I lie in bed solving tomorrow's problems because it's the only quiet time I get",
        "the nights I can't sleep are always the nights I skipped winding down",
        "trying hard to sleep is exactly what keeps me awake",
    ],
    "subtle": [
        "It's never the nights after I walk in the evening.", "I sleep fine on holiday, it's only work nights.",
        "Funny, I'm exhausted all day and wide awake the second my head hits the pillow.",
    ],
    "emotions": ["exhausted", "foggy", "irritable", "drained", "frustrated"],
    "slots": {},
}

MONEY = {
    "titles": ["Bills", "Payday", "Money worries", "The envelope", "Budget", "Rent", "Card declined"],
    "topics": ["stress about unpaid bills", "worry about rent and the end of the month",
               "avoiding looking at bank statements", "shame about money in front of friends",
               "an unexpected expense", "making a budget"],
    "situation": [
        "The bills are piling up on the counter and I keep not opening them.",
        "Checked my bank balance and it's {cur}{small_amount} until payday.", "{bill} came and it's nearly double.",
        "Said no to {friend}'s birthday dinner because I can't afford it and made up an excuse.",
        "Moved money between cards again to cover the rent.", "I did the food shop with a calculator on my phone.",
        "The car's making a noise and I'm just ignoring it because I can't pay for it.",
        "Everyone at work is talking about holidays and I'm counting coins for the bus.",
        "I got a reminder letter in red.", "I keep logging into the banking app and logging straight back out.",
        "I paid {bill} and now there's nothing left for the week.", "I picked up extra shifts and I'm still short.",
        "My {parent} offered to lend me money and I felt about twelve years old.",
        "Turned the heating off to save money and sat in a coat.",
    ],
    "trigger": [
        ("Got a letter saying the rent is going up by {cur}{amount} a month.", "a rent increase"),
        ("My card got declined at the supermarket with a queue behind me.", "a declined card in public"),
        ("The car failed its inspection and the repair is {cur}{big_amount}.", "an unexpected large repair bill"),
        ("My hours got cut at work starting next month.", "a sudden cut in working hours"),
        ("I got a letter from a debt collector about an old phone contract.", "a letter from a debt collector"),
    ],
    "detail": [
        "The envelope has been face down on the counter for a week.", "I put the items back one by one and the guy behind me sighed.",
        "I keep a spreadsheet and then I'm too scared to open it.", "I added it up three times hoping I'd made a mistake.",
        "I said I'd already eaten so I wouldn't have to order.",
    ],
    "thought": [
        "What if I can't make rent and that's it.", "I should be further along at my age.", "Everyone else seems to just have money somehow.",
        "If one more thing breaks I don't know what I'll do.", "I feel like a failure every time I check my account.",
    ],
    "implicit": [
        "I couldn't even open the envelope.", "Left it face down on the counter again.",
        "Checked the app three times today like the number would change.", "Said I was busy. I wasn't busy.",
        "Nine days till payday. Nine.", "Another one came today, red writing this time.",
    ],
    "note": [
        "Opened the post. Not as bad as I thought.", "Payday. Breathing again.", "Made a budget. Scared but done.",
        "Cooked from the cupboard, no shopping.", "{bill} paid.", "Said no to a night out. Fine with it.",
        "Counted every {cur} today.",
    ],
    "resolve": [
        "Rang them and set up a payment plan, the person was actually kind.", "My {sib_rel} helped me make a plan and it feels doable now.",
        "Sorted the repair in instalments.",
    ],
    "good": [
        "Put {cur}20 into savings. Tiny but mine.", "Opened every letter this week the day it came.",
        "Went through the budget with a cup of tea instead of dread.",
    ],
    "insight": [
        "I avoid looking at the numbers because not knowing feels safer than knowing",
        "it's not really the money, it's feeling like I've failed at being an adult",
        "I spend on little treats exactly on the days I feel worst about money",
    ],
    "subtle": [
        "My parents never talked about money either, they just fought about it.",
        "The envelope isn't scary, it's what I think it says about me.",
    ],
    "emotions": ["worried", "ashamed", "anxious", "helpless", "embarrassed"],
    "slots": {
        "bill": ["the electricity bill", "the credit card statement", "the water bill", "the council letter",
                 "the phone bill", "the overdraft fee", "the gas bill"],
        "small_amount": ["43", "12", "27", "61", "8"],
        "amount": ["150", "120", "200", "95"],
        "big_amount": ["900", "1,200", "640", "1,450"],
    },
}

HEALTH_ANXIETY = {
    "titles": ["Googling again", "Test results", "Symptoms", "The appointment", "Worried about my body", "Waiting"],
    "topics": ["worry about physical symptoms", "checking and searching symptoms online",
               "anxiety while waiting for test results", "fear before a medical appointment",
               "reassurance seeking about health"],
    "situation": [
        "Found a lump on my neck and spent an hour searching online.", "My heart skipped at my desk and I couldn't stop checking my pulse.",
        "Booked a doctor's appointment and then cancelled it.", "Had a headache all day and talked myself into it being something serious.",
        "Checked the mole on my arm again under the bathroom light.", "I've got blood results coming and I keep refreshing the portal.",
        "My left arm felt tingly and I spent the whole meeting monitoring it.", "Asked {friend} to feel the lump too. {friend} couldn't feel anything.",
        "I read about {illness} and now I've got every symptom on the list.", "I've been pressing on my side to see if it still hurts.",
        "The doctor said it's probably nothing and I heard 'probably'.", "Took my blood pressure four times tonight.",
        "I keep swallowing to check if my throat feels weird.",
    ],
    "trigger": [
        ("The doctor wants me back for more tests.", "waiting for follow-up medical tests"),
        ("Woke up with chest pain and went to urgent care. They said it was muscular.", "an urgent care visit for chest pain that turned out benign"),
        ("A letter came asking me to book a repeat scan.", "a letter about a repeat scan"),
        ("I found a new lump this morning in the shower.", "finding a new lump"),
    ],
    "detail": [
        "I had twelve tabs open about it by midnight.", "The nurse said 'hmm' and I've been thinking about that 'hmm' ever since.",
        "I checked it in the mirror with my phone torch.", "The waiting room had a poster about exactly what I'm scared of.",
    ],
    "thought": [
        "What if they missed something.", "What if this time it's real.", "I know the odds, but someone has to be the unlucky one.",
        "I can't relax until I know for sure, and I never know for sure.",
    ],
    "implicit": [
        "Searched it again at midnight. I know.", "Kept pressing on it to see if it still hurt.", "The portal still says pending.",
        "Checked it four times before lunch.", "Asked for reassurance again and felt stupid.",
    ],
    "note": [
        "Didn't search anything today.", "Results back: normal.", "Appointment tomorrow. Nervous.", "Checked less today.",
        "Heart fluttery this evening.", "Told the doctor everything. Felt heard.",
    ],
    "resolve": [
        "Results came back normal. I read the letter three times.", "The scan was clear. I cried in the car park from relief.",
        "The doctor went through everything slowly and I believed her this time.",
    ],
    "good": [
        "Noticed a twinge and let it be a twinge.", "Went a whole week without checking the lump.",
    ],
    "insight": [
        "searching makes me feel in control for about five minutes and then much worse",
        "I check my body the most when everything else feels out of control",
        "the reassurance never lasts because I'm looking for a certainty nobody can give me",
    ],
    "subtle": [
        "It always gets worse when work goes quiet, weirdly.", "I never worry about it when I'm with people.",
    ],
    "emotions": ["scared", "anxious", "worried", "panicky", "uneasy"],
    "slots": {
        "illness": ["thyroid problems", "heart arrhythmia", "MS", "a brain tumour", "diabetes"],
    },
}

THEMES_A = {
    "work_pressure": WORK_PRESSURE,
    "breakup": BREAKUP,
    "caring_for_parent": CARING_FOR_PARENT,
    "grief": GRIEF,
    "sleep": SLEEP,
    "money": MONEY,
    "health_anxiety": HEALTH_ANXIETY,
}
