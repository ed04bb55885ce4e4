"""What the companion app's guide says: warm, generic prompts and reflections, by purpose."""

GUIDE: dict[str, list[str]] = {
    "open": [
        "Hi, it's good to hear from you. What's on your mind?", "Welcome back. How has today been?",
        "Hello. Take your time. What would you like to talk about?", "Hi there. What's been happening since we last talked?",
        "Good to see you. Where would you like to start?", "Hi. How are you arriving here right now?",
    ],
    "reflect": [
        "That sounds like a lot to carry.", "It makes sense that you'd feel that way after a day like this.",
        "Thank you for putting that into words.", "That sounds really hard.", "I can hear how tiring this has been.",
        "That's a lot happening at once.", "It sounds like this has been building for a while.",
        "That would unsettle most people.", "You've been holding a lot on your own.", "I'm glad you're taking a moment for this.",
    ],
    "feeling": [
        "How are you feeling about it right now?", "What emotions come up when you think about it?",
        "If you had to name the feeling, what would it be?", "How is this sitting with you tonight?",
        "What's the strongest feeling in all of this?",
    ],
    "body": [
        "Where do you notice that in your body?", "If you check in with your body for a moment, what do you feel?",
        "Is there a place in your body that's holding this?", "What do you notice physically when this comes up?",
        "Let's pause for a second. How does your body feel right now?",
    ],
    "thought": [
        "What goes through your mind when that happens?", "What's the story your mind is telling you about this?",
        "What are you most worried might happen?", "What thoughts keep coming back?",
        "When it gets loud in your head, what does it say?",
    ],
    "detail": [
        "Can you tell me a bit more about what happened?", "What was the hardest part?",
        "What happened just before you started feeling this way?", "How did it unfold?",
        "What's been different about this week?",
    ],
    "insight": [
        "What do you make of that?", "Does any of this remind you of other times? What stands out to you?",
        "When you look at it from a little distance, what do you see?", "Is there something underneath this that feels familiar?",
    ],
    "insight_ack": [
        "That's an important thing to notice. It might be worth bringing to your next session.",
        "That sounds like a real insight. How does it feel to put it that way?",
        "That's a thoughtful observation. Be gentle with yourself as you sit with it.",
        "Noticing that is a big step. You don't have to solve it tonight.",
    ],
    "outcome": [
        "How do you feel now compared to when we started?", "Did that shift anything, even a little?",
        "How was that for you?", "What do you notice now?",
    ],
    "good": [
        "That's really good to hear. What do you think helped?", "It's lovely to hear things feel lighter. What's been different?",
        "That's worth celebrating. How did you manage it?",
    ],
    "resolve": [
        "Last time things felt quite heavy. How did it turn out?", "How are things with what you mentioned before?",
        "I remember this was weighing on you. Where are things now?",
    ],
    "helped_followup": [
        "That sounds like real progress. How are you feeling about it now?", "It's good to hear that. What would you like to keep doing?",
        "That's a helpful thing to know about yourself. How does it feel to notice it?",
    ],
    "drift": [
        "It sounds like there's more going on. Do you want to say more about that?",
        "That's a lot at once. Which part feels most pressing?",
    ],
    "close": [
        "Thank you for sharing this with me. Be gentle with yourself tonight.",
        "I'm glad you reached out. This could be something to bring to your next session.",
        "Take care of yourself. I'm here whenever you want to talk again.",
        "Well done for taking this time. Rest well.", "Thanks for checking in. Go easy on yourself this evening.",
    ],
    "after_filler": [
        "Hi! What would you like to talk about today?", "Hello. What's on your mind?",
        "Hi, good to hear from you. How are things?",
    ],
}

SUGGEST: dict[str, list[str]] = {
    "box_breathing": ["Would you like to try a short box breathing exercise? Breathe in for four, hold for four, out for four, hold for four.",
                      "Let's try a few rounds of box breathing together. In for four, hold, out for four, hold."],
    "body_scan": ["Would a short body scan help? Start at your feet and slowly move your attention upwards.",
                  "Maybe try the body scan. Notice each part of your body without needing to change anything."],
    "grounding_54321": ["Let's try grounding: name five things you can see, four you can touch, three you can hear, two you can smell, one you can taste.",
                        "Would the 5-4-3-2-1 exercise help bring you back to the room?"],
    "journaling": ["Would it help to write it out for a few minutes, without editing?",
                   "Sometimes putting it on paper gives it somewhere to go. Want to try a short journaling exercise?"],
    "walk": ["Could a short walk help, even just around the block?", "Would stepping outside for a few minutes be possible right now?"],
    "progressive_muscle_relaxation": ["Let's try progressive muscle relaxation: tense each muscle group for a few seconds, then let it go.",
                                      "Would you like to try tensing and releasing, starting with your hands?"],
    "guided_meditation": ["There's a ten-minute guided meditation in the app. Would you like to try it?",
                          "Would a short guided meditation help you settle?"],
}

RISK_RESPONSE = {
    "watch": [
        "Thank you for telling me. It sounds like things feel very heavy right now. Are you safe at the moment? "
        "If you ever feel you might act on these thoughts, please contact {crisis} or emergency services straight away, "
        "and consider letting your therapist know how you've been feeling.",
    ],
    "urgent": [
        "I'm really concerned about your safety. Please contact emergency services or {crisis} now. "
        "If you can, put distance between yourself and anything you could use to hurt yourself, and ask someone to stay with you. "
        "Your therapist should know about this today.",
    ],
}
