"""More lines for the theme banks (merged into them by textbank.py): situations, details,
thoughts, implicit lines and notes, so that a caseload rarely repeats a sentence."""

MORE = {
    "work_pressure": {
        "situation": [
            "{boss} replied to my long email with just 'ok'.", "I got added to {count} new channels this week.",
            "The project I've spent three months on got paused in {meeting}.", "I had to cover for {coworker} and nobody said thanks.",
            "I was the only one who didn't get the invite to the offsite planning.", "I rewrote the first paragraph of {deliverable} nine times.",
            "{boss} messaged 'call me when you see this' and nothing else.", "I worked through lunch and then through the afternoon break too.",
            "There's a new tracking tool and now every hour of my day is visible.", "I dialled into {meeting} from the car park so I could cry first.",
        ],
        "detail": ["{boss_his} camera was off so I couldn't read {boss_his} face.", "The office was freezing and I was sweating anyway.",
                   "I kept the message open on my second screen all afternoon.", "{coworker} just shrugged like it happens every week."],
        "thought": ["If I slow down for one week everything falls apart.", "I'm scared they'll see me as replaceable.",
                    "I should be grateful to have a job at all, that's what I keep telling myself."],
        "note": ["Back-to-back calls. Head fuzzy.", "Finished early, walked home.", "{boss} cancelled our one-on-one again.",
                 "Good feedback on {deliverable}!"],
    },
    "breakup": {
        "situation": [
            "I found a playlist {ex} made me and listened to the whole thing.", "{friend} invited me to a wedding and I have to RSVP for one.",
            "I got a parcel addressed to {ex} today.", "I looked at flats on my own budget and it was sobering.",
            "My phone showed me a 'memory' from this time last year.", "I went to bed at nine just so the day would end.",
            "{ex_his} friends still follow me and I don't know if I should unfollow them.", "I bought the cereal {ex} liked without thinking.",
        ],
        "detail": ["The photo was from a trip we'd talked about doing together.", "I kept the notification on my lock screen all day.",
                   "I wrote the reply in my notes app so I wouldn't accidentally send it."],
        "thought": ["Everyone says it gets easier but nobody says when.", "I keep wondering what I'd say if {ex_he} called."],
        "note": ["Took the long way home to avoid {place}.", "Sorted the photos into a folder I won't open.", "Cried in the shower. Then ok."],
    },
    "caring_for_parent": {
        "situation": [
            "{cared} wouldn't let the nurse in and rang me at work to complain.", "I spent my lunch break on hold to the pharmacy.",
            "{cared} asked me to stay for tea and I said I couldn't and felt awful the whole drive.",
            "I found {cared_his} bank card in the fruit bowl.", "The care agency changed the visit times without asking.",
            "I've started sleeping with my phone on loud in case {cared} rings.", "{cared} told the doctor everything was fine, which it isn't.",
        ],
        "detail": ["{cared_his} slippers were on the wrong feet.", "There were post-it notes on every cupboard in my handwriting.",
                   "The car park at the hospital cost more than lunch."],
        "thought": ["I'm scared of the phone call that's going to come one day.", "I feel like a parent to my own parent."],
        "note": ["Carer was late. {cared} fine.", "Hour on hold with the pharmacy.", "Good visit with {cared} today."],
    },
    "grief": {
        "situation": [
            "I caught myself saving a news story to tell {lost} about.", "Someone asked how many siblings or parents I have and I froze.",
            "{lost_his} coat is still on the hook by the door.", "The first snow came and {lost} always used to ring me when it snowed.",
            "I went to the shop and bought {lost_his} favourite biscuits and then couldn't eat them.",
            "My {sib_rel} wants to sell {lost_his} car and I'm not ready.", "I laughed at something today and then felt awful for laughing.",
        ],
        "detail": ["The biscuits are still unopened on the counter.", "{lost_his} chair still has the cushion the way {lost_he} liked it.",
                   "I listened to the voicemail in the car with the engine off."],
        "thought": ["Some days it feels like it happened to someone else.", "I wish I'd recorded more of our conversations."],
        "note": ["{lost_his} birthday. Lit a candle.", "Sorted one box. Enough for today.", "Dreamt of {lost}. Woke up sad but warm."],
    },
    "sleep": {
        "situation": [
            "I fell asleep on the sofa at nine and then was wide awake at {night_time}.", "My legs were restless all night.",
            "I had that falling dream and jolted awake.", "I woke up at {night_time} thinking about an email I forgot to send.",
            "The heating clicked on at {night_time} and that was it.", "I slept in the spare room to see if it helped. It didn't.",
        ],
        "detail": ["I got up and ate {snack} in the dark kitchen.", "The birds started and I was still awake.",
                   "I turned my pillow over about twenty times."],
        "thought": ["I know worrying about sleep makes it worse and I worry anyway.", "If I don't sleep tonight tomorrow is ruined."],
        "note": ["Asleep by 11!", "Woke at {night_time}. Read till 5.", "Nap at lunch, foggy after."],
    },
    "money": {
        "situation": [
            "I skipped lunch to make the week stretch.", "The landlord texted about 'a small increase' which is not small.",
            "I returned the jacket I bought because I felt sick every time I saw it.", "Friends booked a weekend away and I said I'm busy.",
            "I calculated how many hours I'd have to work to pay {bill}.", "My {parent} asked how I'm doing for money and I lied.",
        ],
        "detail": ["I left the receipt in the bag so I could take it back.", "The letter had a reference number and a deadline in bold.",
                   "I kept my card in the drawer so I wouldn't use it."],
        "thought": ["One bad month and it all falls over.", "I'm so tired of doing the maths on everything."],
        "note": ["No spend day.", "Opened the letter. It's ok.", "Overtime this week. Tired but it helps."],
    },
    "health_anxiety": {
        "situation": [
            "I felt a twinge in my side during a meeting and didn't hear a word after that.", "I asked {friend} to look at my eyes to see if they looked yellow.",
            "I've taken my temperature three times today, it's normal every time.", "I read the leaflet from the pharmacy and now I'm scared of the side effects.",
            "The symptom checker said 'see a doctor urgently' and I spiralled.", "My hand twitched and I spent the evening reading about nerves.",
        ],
        "detail": ["I had the thermometer on the bedside table like a security blanket.", "I zoomed in on the photo of the mole to compare it with last month's."],
        "thought": ["Doctors miss things all the time, that's what I keep thinking.", "What if I leave it too late."],
        "note": ["Twinge. Let it be.", "Checked twice, not ten times.", "Appointment booked. Kept it."],
    },
    "school": {
        "situation": [
            "I did the reading but couldn't say anything in the seminar.", "My group project partners haven't replied in four days.",
            "I checked the grades portal eleven times before lunch.", "I changed my essay topic again, three days before the deadline.",
            "I fell asleep on my notes in the library.", "I had a panic in the exam hall when I turned the page.",
        ],
        "detail": ["The clock in the exam hall was really loud.", "My highlighter ran out halfway through the chapter."],
        "thought": ["Maybe I'm not cut out for this course.", "If I ask for help they'll think I'm behind. I am behind."],
        "note": ["Seminar went ok.", "Draft sent to {prof}.", "Group project meeting, productive."],
    },
    "family_conflict": {
        "situation": [
            "My {parent} sent a message that just said 'we need to talk'.", "{relative} posted something passive-aggressive about 'family loyalty'.",
            "I got roped into planning {event} and now it's my fault everything's wrong.", "My {sib_rel} cancelled on {event} and somehow I got the blame.",
            "I left the family dinner before dessert.", "{relative} brought up my ex in front of everyone.",
        ],
        "detail": ["Everyone pretended it didn't happen by the time the food came out.", "The voice note was four minutes long."],
        "thought": ["It's like they only call when they need something.", "I'll never be enough for them."],
        "note": ["Left the chat on read.", "Called my {parent}. Nice, actually.", "Said no to {event}."],
    },
    "loneliness": {
        "situation": [
            "I went to the café just to be around people.", "It's a long weekend and I have nothing planned for any of it.",
            "The only message I got today was from the dentist.", "I saw two friends laughing on the bus and had to look away.",
            "I joined an online group and then didn't post anything.", "I invited {friend} over and she said she's swamped.",
        ],
        "detail": ["I left the TV on all night just for the noise.", "I set the table for one and then ate on the sofa anyway."],
        "thought": ["Nobody would notice if I skipped every plan for a month.", "I used to have so many people around me."],
        "note": ["Phone call with {sib}.", "Café, read a book, chatted a bit.", "Long quiet Sunday."],
    },
    "parenting": {
        "situation": [
            "{kid} needs new shoes again and {kid_he} only got the last ones in spring.", "Homework took an hour and ended in tears, mostly mine.",
            "{kid} refused to get in the car and we were late for everything.", "The school wants volunteers and I feel guilty for saying no.",
            "{kid} asked why I'm always on my phone and I had no good answer.", "Dinner ended up being toast because {kid} fell asleep at five.",
        ],
        "detail": ["{kid} had {kid_his} shoes on the wrong feet and I just let it go.", "The car smelled of crisps and wet coats."],
        "thought": ["I'm getting it wrong in ways I won't see until later.", "I don't remember the last time I did something just for me."],
        "note": ["School run smooth.", "{kid} ate vegetables. Miracle.", "Lost my temper. Repaired it."],
    },
    "body_image": {
        "situation": [
            "I didn't go to the beach day because of swimsuits.", "I ate in secret again and felt awful after.",
            "Someone said I looked 'healthy' and I spent the whole day decoding it.", "I kept my coat on through the whole dinner.",
            "I deleted the photo before anyone could like it.", "I tried on six outfits for a work thing and went in the first one.",
        ],
        "detail": ["The changing room lights were brutal.", "I checked my reflection in every shop window on the way."],
        "thought": ["I'll start living properly once I look different, that's the lie I tell myself.", "Everyone else seems comfortable in their body."],
        "note": ["Wore shorts. Fine.", "Hard mirror day.", "Ate with friends, didn't count anything."],
    },
    "social_anxiety": {
        "situation": [
            "I skipped the team lunch and ate at my desk.", "I texted instead of calling even though calling would have been quicker.",
            "Someone new joined the team and I haven't said hello in four days.", "I waited outside the party for ten minutes before going in.",
            "I agreed with something I didn't agree with just to end the conversation.", "I practised ordering coffee in my head the whole queue.",
        ],
        "detail": ["I rehearsed 'hi, I'm here for the group' about twenty times.", "My hands were cold and clammy the whole time."],
        "thought": ["They're probably still laughing about it.", "Why can't I just be normal around people."],
        "note": ["Said hello to the new person.", "Phone call done. Shaky.", "Skipped the event. Regret."],
    },
    "relocation": {
        "situation": [
            "I still don't have a doctor here and I keep putting off registering.", "I spent the evening looking at photos of the old street.",
            "The washing machine in the new place floods and I don't know who to call.", "Work here is fine but nobody asks me for lunch yet.",
            "I tried a new running route and got completely lost.", "Everyone back home was in the group chat talking about a night out.",
        ],
        "detail": ["The light switches are all in the wrong places.", "I keep turning the wrong way out of the front door."],
        "thought": ["Maybe I should have stayed.", "It'll take years to build what I had."],
        "note": ["Registered with a doctor finally.", "Found a running route.", "Homesick evening."],
    },
}

# A second batch, heavier on slots.
MORE_2 = {
    "work_pressure": {
        "situation": [
            "{boss} asked for {deliverable} 'by end of day' at 4pm.", "I got a calendar invite titled 'catch-up' from {boss} for {deadline_day}.",
            "In {meeting} {boss} said {comment} and everyone looked at me.", "{coworker} and I are both on {deliverable} and I'm doing all of it.",
            "I spent {time_span} on {deliverable} and it still isn't right.", "I checked {workthing} at {late_time} and there was a message from {boss}.",
        ],
        "implicit": ["The email is still sitting there, unanswered, since {when}.", "Another 'quick question' at {late_time}.",
                     "Worked through lunch. Again."],
        "detail": ["{boss} said it with a smile, which somehow made it worse.", "I had {count} unread messages by the time I got back from lunch."],
    },
    "breakup": {
        "situation": [
            "{friend} saw {ex} at {place} and told me before I could say don't.", "I found {item} under the bed {when}.",
            "I nearly called {ex} {when} just to hear {ex_his} voice.", "{ex_his} birthday is on {weekday} and I don't know whether to say anything.",
            "I'm still paying half of the phone contract we share with {ex}.", "I walked past {place} {when} and had to sit down.",
        ],
        "implicit": ["Nearly sent it {when}. Didn't.", "The name came up on someone's story and that was my evening."],
        "detail": ["{ex_he} looked well, which I hated.", "I reread the last message {ex} sent about forty times."],
    },
    "caring_for_parent": {
        "situation": [
            "{cared} rang {when} because {cared_he} couldn't find {cared_his} glasses, they were on {cared_his} head.",
            "I spent {time_span} at {appt} with {cared} and left with a new prescription and no answers.",
            "My {sib_rel} sent a message asking how {cared} is, from abroad, like a visitor.", "{cared} wants to go back to driving on {weekday}.",
            "I had to take {cared} to {appt} and missed {friend}'s birthday drinks.", "The carer said {cared} didn't eat {cared_his} lunch again.",
        ],
        "implicit": ["Three missed calls by lunch. All fine. Still.", "Drove over {when}. Drove back. Work. Repeat."],
        "detail": ["{cared} held my hand in the waiting room, which {cared_he} never does.", "The pill organiser had {weekday}'s tablets still in it."],
    },
    "grief": {
        "situation": [
            "{when} I caught myself reaching for the phone to tell {lost} something funny.", "I found {object} while looking for something else {when}.",
            "It's {grief_time} and I still can't go into {lost_his} room.", "My {sib_rel} talked about {lost} in the past tense and I flinched.",
            "I drove past {lost_his} street {when} and nearly turned in.", "Someone sent a photo of {lost} I'd never seen.",
        ],
        "implicit": ["It came out of nowhere {when}.", "Held it together all day and then lost it in the car."],
        "detail": ["{lost_he} was laughing in the photo, the proper laugh.", "I still say 'we' when I talk about that house."],
    },
    "sleep": {
        "situation": [
            "Woke at {night_time}, checked the clock at every hour after.", "I was asleep by 11 and then wide awake at {night_time}.",
            "My {mate} was up at {night_time} and the door woke me.", "I got maybe three hours, the rest was ceiling.",
            "I drank camomile tea at {late_time} like it was medicine and still nothing.", "I slept through the alarm after lying awake till {night_time}.",
        ],
        "implicit": ["Up at {night_time}. Of course.", "The clock and I are very well acquainted."],
        "detail": ["By {night_time} I'd planned the whole of next week in my head.", "I could hear my own heartbeat in the pillow."],
    },
    "money": {
        "situation": [
            "{bill} is due on {deadline_day} and I've got {cur}{small_amount} in my account.", "I've got {cur}{small_amount} to last until {weekday}.",
            "{friend} suggested dinner out and I said I'd already eaten.", "I had to borrow {cur}{amount} from my {sib_rel} and it stung.",
            "I got an email saying the direct debit for {bill} failed.", "I put {bill} on the credit card and just moved the problem.",
        ],
        "implicit": ["Checked the balance {when}. Wish I hadn't.", "The envelope's still on the side. Unopened."],
        "detail": ["The number in the app was red.", "I hid the letter in a drawer like that would make it go away."],
    },
    "health_anxiety": {
        "situation": [
            "I felt my heart thudding {when} and spent an hour convinced something was wrong.", "I've been searching {illness} symptoms since {when}.",
            "The results portal says 'awaiting review' and I've refreshed it {time_span}.", "I asked {friend} if my lump looks bigger and she said no, again.",
            "I woke up with a headache and went straight to {illness} in my head.", "I booked a private appointment I can't really afford, just to be sure.",
        ],
        "implicit": ["Checked it {when}. Then again.", "Refreshed the portal. Still nothing."],
        "detail": ["My hand went straight to my neck every time I stopped concentrating.", "I wrote all the symptoms down so I wouldn't forget any."],
    },
    "school": {
        "situation": [
            "{course} is due {deadline_day} and I've done the references and nothing else.", "{prof} cancelled our meeting {when} and I spiralled.",
            "I got a 58 on {course} and everyone else is posting 70s.", "I stayed in the library till {late_time} and wrote one paragraph.",
        ],
        "implicit": ["Opened it. Closed it. Opened it.", "One more day of 'tomorrow'."],
        "detail": ["The word count said 312.", "Everyone in the library seemed to be typing so fast."],
    },
    "family_conflict": {
        "situation": [
            "{relative} rang {when} and within five minutes we were shouting.", "The group chat blew up about {event} again {when}.",
            "{relative} said I've 'changed' since I moved out, like it was an insult.", "I'm dreading {event} and it's weeks away.",
        ],
        "implicit": ["Forty messages. Didn't read them.", "Same script, same roles, every single time."],
        "detail": ["{relative} did the thing where they say my full name.", "My {parent} changed the subject as soon as I got upset."],
    },
    "loneliness": {
        "situation": [
            "I didn't talk to a single person {when} apart from the cashier.", "{friend} postponed our plan for {weekday} and I had nothing else.",
            "I scrolled through photos of a night out I didn't know about {when}.", "The {home} was so quiet {when} I put a podcast on just for a voice.",
        ],
        "implicit": ["Quiet again {when}.", "Nobody asked how my day was, so I'm telling you."],
        "detail": ["I checked my phone every few minutes in case someone had replied.", "I said 'thanks, you too' to the bus driver and meant it more than he knew."],
    },
    "parenting": {
        "situation": [
            "{kid} was up at {night_time} and I had a meeting at nine.", "{kid} came home from school {when} and wouldn't say a word.",
            "I shouted at {kid} {when} over something tiny.", "{kid}'s teacher wants a meeting on {weekday} and didn't say what about.",
        ],
        "implicit": ["Bedtime took {minutes}. Again.", "Socks. It was about socks."],
        "detail": ["{kid} looked at me like {kid_he} was scared, and that broke me.", "The lunchbox came home untouched."],
    },
    "body_image": {
        "situation": [
            "I saw myself in the lift mirror {when} and it ruined the afternoon.", "{friend} wants to go swimming on {weekday} and I'm already making excuses.",
            "I changed my outfit {small_num} times before work.", "Someone took a group photo {when} and I hid at the back.",
        ],
        "implicit": ["Mirror. Nope.", "Wore the baggy one again."],
        "detail": ["I angled my phone so only my face was in the call.", "I stood in the changing room for {minutes} without trying anything on."],
    },
    "social_anxiety": {
        "situation": [
            "I let the phone ring out {when} and then felt ridiculous.", "There's a team social on {weekday} and I've already planned my excuse.",
            "I replayed what I said in {time_span}, word by word.", "I stood outside the meeting room for {minutes} waiting for someone else to go in first.",
        ],
        "implicit": ["Voicemail again.", "Said one sentence in the whole meeting. Replayed it all night."],
        "detail": ["My voice came out higher than normal.", "I could feel everyone's eyes even though they probably weren't looking."],
    },
    "relocation": {
        "situation": [
            "I got lost on the way to work {when}, in a city I've lived in for months.", "{friend} sent photos from home {when} and I felt miles away.",
            "I spent {time_span} unpacking and the {home} still looks like a storage unit.", "The estate agent hasn't returned my deposit from the old place.",
        ],
        "implicit": ["Another box, another evening.", "Still not home. Just where I live."],
        "detail": ["The shop didn't have my usual bread.", "I still have the old address saved as 'home' in my phone."],
    },
}
