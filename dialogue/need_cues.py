"""How much help a reply describes, from the words people use for it: a check on the classifier.

The classifier (Rasa's DIET) is good at wording it has seen and can be confidently wrong about
wording it has not: "I've got loads of mates, I don't need help there" read as a lot of need.
These cues are the ideas the answer scale is made of (help or none; how often; how much of it),
with negation and "but" handled. They never decide alone what is recorded: a reply read here is
offered as "It sounds like ... Is that right?", and a guess from anywhere else that is two or
more levels away from what the cues say is never offered (dialogue/understand.py).
"""

from __future__ import annotations

import re
import unicodedata
from typing import List, Optional, Tuple

_OK = (r"(?:i'?m|he'?s|she'?s|they'?re|i am|he is|she is|it'?s|i manage|i can manage) "
       r"(?:ok|okay|fine|alright|all right)\b")
# "most days I'm fine": help on the other days, a little (read before "most days" means help most days).
# "out every day on her own", "fine on her own at night": the time says when they are alone, not helped.
_ALONE_WHEN = [
    (re.compile(r"\b(?:every day|most days|daily|always) (?=(?:on (?:my|his|her|their) own|alone|independently|"
                r"by (?:my|him|her) ?self)\b)"), ""),
    (re.compile(r"\b(own|fine|ok|okay|alright|alone|safe) (?:at night|in the day|during the day|overnight)\b"), r"\1"),
]
# "not every night", "not all the time": sometimes.
_NOT_EVERY = re.compile(r"\bnot (?:every (?:single )?(?:day|night|time|week|morning)|all the time|always)\b")
# How often, said as a part: "most times", "more often than not".
_PARTLY = re.compile(r"\bmost(?:ly)?\b|\bmore often than not\b|\bmajority\b|\bbulk\b|\bnine times\b")
# "... that's all": what came before is the whole of the help.
_THATS_ALL = re.compile(r"\b(?:that'?s all|that'?s it|nothing (?:else|more))\b")
# The rest done alone, after some help: "... but he can do the rest himself", "apart from that".
_REST_ALONE = re.compile(r"\b(?:do|does|did|manage|manages|handle|handles|can do|sort|sorts) (?:\w+ )?"
                         r"(?:the rest|everything else)\b|\bapart from that\b|\b(?:copes?|manages?) "
                         r"(?:on (?:my|his|her|their) own|alone|by (?:my|him|her) ?self) now\b")
_MOSTLY_FINE = re.compile(rf"\bmost (?:days|of the time|times|weeks) {_OK}|\b(?:usually|mostly|generally) {_OK}")
_HELP = r"(?:help|a hand|support|assistance|reminding|reminders?|prompting|prompts?|someone|anyone|anybody|carers?)"
_OWN = r"(?:on (?:my|his|her|their) own|by (?:my ?self|him ?self|her ?self|them ?selves|themselves)|" \
       r"(?:my|him|her|them)sel(?:f|ves)|independent(?:ly)?|independant(?:ly)?|alone)"

# No help, said outright: outweighs a frequency word ("all the time, I don't need help").
_NONE = [
    rf"\b(?:don'?t|dont|doesn'?t|dosn'?t|dosnt|do not|does not|never|wouldn'?t say (?:i|he|she|they)) "
    rf"(?:\w+ )?(?:need|needs|needed|want|have|get) (?:any |no |much )?{_HELP}",
    r"\bno (?:help|support|problems?|trouble|bother|issues?|worries)\b",
    r"\bno(?: ?one| ?body) (?:\w+ )?(?:helps?|needs? to help|takes advantage)\b",
    rf"(?<!not )\bwithout (?:any )?{_HELP}\b",
    r"\b(?:don'?t|doesn'?t|do not|does not) (?:take|use|have) any (?:tablets|medicines?|medication|pills)\b|"
    r"\b(?:isn'?t|is not|i'?m not|not) on any (?:tablets|medicines?|medication|pills)\b",
    r"^(?:no|nope|nah)\b(?! ?(?:one|body)\b)",  # "No, she's fine at night": the questions ask "Do you need help"
    r"\b(?:doesn'?t|don'?t|does not|do not) (?:look after|care for) (?:anyone|anybody|any)\b",
    r"\bnever needs? (?:us|me|them|anyone|anybody|a thing)\b",
    r"\b(?:loads|lots|plenty) of (?:friends|mates|pals)\b|\bvery sociable\b",
    r"\bnever (?:been |is |was )?(?:a|any) (?:risk|danger|problem|trouble|bother)\b|\bno (?:risk|danger)\b",
]
_NO_RISK = re.compile(_NONE[-1])
# Doing it alone, or being fine: no help, unless other words say when help is needed
# ("he's ok on his own for short bits" is help most of the time).
_ALONE = [
    rf"\b(?:do|does|doing|did|manage|manages|managing|cope|copes|sort|sorts|go|goes|going|get|gets|take|takes|"
    rf"make|makes|decide|decides|handle|handles|cook|cooks|keep|keeps|travel|travels|live|lives|choose|chooses|"
    rf"pick|picks|plan|plans|pay|pays|wash|washes|dress|dresses|eat|eats) "
    rf"(?:\w+ ){{0,4}}{_OWN}",
    rf"^{_OWN}\b",
    r"\b(?:on (?:my|his|her|their) own|by (?:my|him|her) ?self|independent(?:ly)?|independant(?:ly)?)\b",
    r"\b(?:easily|with ease|no bother|keeps? on top of)\b",
    # "... answers his letters himself" (not "hurts herself": that is a risk, not managing alone).
    r"^(?!.*\b(?:hurts?|harms?|injures?|cuts?|neglects?|puts?|blames?)\b)"
    r"(?:\w+ ){1,8}(?:him|her|my|them) ?sel(?:f|ves)$",
    r"\b(?:i'?m|i am|he'?s|she'?s|they'?re|he is|she is) (?:perfectly |absolutely |completely |quite |totally )?"
    r"(?:fine|ok|okay|alright|all right|safe|capable|independent|savvy|sensible)\b",
    r"\b(?:i|he|she|they) (?:can|could) (?:do|manage) (?:it|that|all of it|everything)(?: fine)?\W*$",
    r"\bi get by\b",
    r"\b(?:all|everything) (?:of )?(?:my|his|her|their) own\b|\b(?:a )?dab hand\b|\bmake (?:my|his|her) own mind up\b",
]
# A little, or sometimes.
_LITTLE = [
    r"\b(?:sometimes|some days|now and (?:then|again)|every now and then|once in a (?:blue moon|while)|"
    r"hardly ever|rarely|not often|the odd (?:time|day)|occasionally|every so often|from time to time|"
    r"once a (?:week|fortnight|month)|on (?:a )?bad days?|bad days|a bit of help|a little help|a little bit)\b",
    r"\bonly (?:if|when|for|on|ever|the|a|if it'?s)\b|\bonly (?:\w+ ){1,3}(?:if|when)\b",
    r"\bnew (?:\w+ )?(?:route|routes|place|places|bill|bills|journey|journeys|trip|trips|people|things?|letters?|"
    r"forms?|situations?)\b|"
    r"(?<!not )\b(?:just |only )?once\b(?! (?:a day|every|he|she|they|i|his|her|my|their|it'?s|you|we))|"
    r"\b(?:hasn'?t|haven'?t|has not|have not|not) (?:done|been|used) (?:\w+ )?before\b|\bunfamiliar\b",
    r"\b(?:somewhere|something|anything|anywhere) (?:new|unfamiliar|different|i don'?t know|he doesn'?t know|"
    r"she doesn'?t know)\b",
    r"\bexcept (?:for )?(?:long|big|new|the odd)\b",
    rf"\b(?:only|just) (?:needs?|needed|wants?|gets?|has|have) (?:\w+ ){{0,2}}{_HELP}\b",
    r"\ba (?:bit|little)(?: bit)? of (?:help|support|a hand|assistance|prompting|reminding)\b|"
    r"\bthe odd (?:reminder|prompt|bit|thing|occasion|nudge|hand)\b",
    r"\bsomewhere (?:i'?ve|he'?s|she'?s|they'?ve|i have|he has|she has) never been\b",
    r"\bjust (?:\w+ ){0,5}(?:needs?|wants?) (?:a hand|help|support|reminding)\b",
    r"\busually fine\b",
    # Help to start, then fine: "point me to a club, after that I'd be ok".
    r"\b(?:after that|once (?:i'?m|he'?s|she'?s|they'?re|i am|he is|she is) (?:there|in|started|going)|then) "
    r"(?:i'?d|he'?d|she'?d|they'?d|i'?ll|he'?ll|she'?ll|i'?m|he'?s|she'?s) (?:be )?(?:ok|okay|fine|alright)\b",
]
# Help most days, or with some of it every day.
_MOST = [
    r"\bmost (?:\w+ )?(?:days|times|journeys|trips|things|meals|nights|mornings|weeks|of the time)\b|"
    r"\bmostly (?:i |he |she |they )?needs?\b|"
    r"\bfor (?:an hour|a few hours|a couple of hours|short)\b|\bno longer than\b|"
    r"\b(?:most days|most of the time|most times|most trips|nearly every day|almost every day|"
    r"every (?:morning|night|evening)|"
    r"(?:each|every) day with|at night|in the mornings?|most (?:things|of it|of my|of the))\b",
    r"\bevery day\b(?!.*(?<!at )\ball\b|.*\b(?:everything|every (?:single )?time)\b)",  # not "at all"
    r"\b(?:but|except) .*\bmost\b",
    r"\bfor short (?:bits|spells|times|periods)\b",
    r"\ba lot of (?:help|support)\b|\bloads of (?:help|support)\b|\bdaily\b|\bregular(?:ly)?\b|"
    r"\bhelp with (?:pretty much |nearly |almost )?(?:everything else|most (?:things|of it))\b|"
    r"\bmorning and night\b|\b(?:twice|three times) a day\b|"
    r"\busually (?:i|we|someone|somebody|my \w+|they|staff|carers?) (?:\w+ )?"
    r"(?:takes?|goes|go|comes?|helps?|does|do)\b|"
    r"\bmore often than not\b|\b(?:nine|9) times out of (?:ten|10)\b|\bthe (?:majority|bulk) of\b|"
    r"\bnot for long\b|\bfor a (?:short|little) (?:while|time|bit)\b",
]
# Help every time, with all of it; or cannot do it without someone.
_ALL = [
    r"\b(?:can'?t|cannot|can not|couldn'?t|unable to) (?:\w+ ){0,4}(?:without|alone|on (?:my|his|her|their) own)",
    rf"\bnot without (?:\w+ )?{_HELP}",
    r"\b(?:does|do|did|sorts?|handles?|manages?) (?:it )?(?:all(?! (?:of )?(?:his|her|my|their) own)|"
    r"everything(?! else)|the lot|every \w+)(?: of it)?"
    r"(?: for (?:me|him|her|them)|\W*$)",
    r"\b(?:does|do|sorts?|handles?) (?:all|everything|the lot|every \w+)\b(?! (?:my|him|her|them)sel| else|"
    r" (?:of )?(?:his|her|my|their) own)",
    r"\b(?:all of it|everything|the lot|every penny|all (?:his|her|their|my) \w+)\b.*\bfor (?:me|him|her|them)\b",
    r"\bthe (?:whole|entire) (?:time|shift|day|visit|session)\b|\btrained (?:staff|carers?)\b|"
    r"\b(?:two|2) (?:people|carers|staff)\b|"
    r"\bwaking night\b",
    r"\b(?:can'?t|cannot|couldn'?t|unable to) (?:do|manage|choose|make|cope with) (?:any|anything)\b",
    r"\bsomeone (?:has|needs|have) to\b.*\bevery\b(?! day)",
    r"\bevery (?!day|morning|night|evening|week|month|now)\w+ for (?:me|him|her|them)\b",
    r"\b(?:every (?:single )?time|all the time|24/?7|round the clock|day and night|constantly|always)\b"
    r"(?=.*\b(?:need|needs|help|helps|supports?|someone|me to|us to|with (?:me|him|her|them)|there)\b)",
    rf"\b(?:need|needs|needed) {_HELP} (?:\w+ ){{0,5}}(?:every (?:single )?time|all the time|always|for everything|"
    r"constantly|24/?7|round the clock|the (?:entire|whole) time)",
    r"\b(?:always|every (?:single )?time) (?:\w+ ){0,2}(?:need|needs|have to|has to)\b",
    r"\b(?:i|we) (?:have to |had to )?(?:do|does|sort|handle|take care of) (?:it )?(?:all|everything|the lot)\b"
    r"(?! else)",
    r"\bevery (?:journey|trip|outing|visit|appointment|meal|bill|letter|decision|choice)\b"
    r".*\b(?:someone|somebody|with (?:me|him|her|them)|have to|has to|needs?)\b|\ball the way (?:through|round)\b",
    r"\b(?:help|helps|support) (?:\w+ )?with (?:all of it|everything|the lot|all (?:of )?(?:his|her|my|their) \w+)\b",
    r"\bit'?s constant\b|\bconstant (?:help|support|supervision|care)\b|"
    r"\b(?:help|support) with every (?!day|morning|night|evening|week|month)\w+",
    r"^(?=.*\b(?:need|needs|help|helps|supports?|someone|somebody|there)\b)"
    r".*\b(?:24/?7|round the clock|day and night)\b",
    r"\bcompletely (?:dependent|reliant)\b|\bfull[- ]time care\b|\bevery single (?!time)\w+|"
    r"\ball (?:night|day) (?:long|with|every)\b|\bawake all night\b",
]
_CONTRAST = re.compile(r"\b(?:but|except|apart from|unless|although|though|only|otherwise|however|once|if)\b")
# "She can't do it on her own", "he never goes out without someone": the words of doing it alone,
# denied. Then no cue for "no help" counts.
_CANNOT_ALONE = re.compile(
    r"\b(?:can'?t|cannot|can not|couldn'?t|could not|unable to|never|doesn'?t|does not|won'?t|isn'?t able to) "
    r"(?:\w+ ){0,7}?(?:without|alone|on (?:my|his|her|their) own|(?:my|him|her|them) ?sel(?:f|ves)|themselves)\b|"
    r"\bnot without\b|\bnot safe (?:on (?:my|his|her|their) own|alone|to be left)\b")
_LEVELS: List[Tuple[int, List[re.Pattern]]] = [
    (level, [re.compile(rx) for rx in patterns]) for level, patterns in ((0, _NONE), (1, _LITTLE), (2, _MOST),
                                                                         (3, _ALL))
]
_ALONE_RE = [re.compile(rx) for rx in _ALONE]
# Cannot do it alone, or not without someone: all of it, unless the reply says how often ("most times").
_ALL_STRONG = [re.compile(rx) for rx in _ALL[2:]]
_HELPED = re.compile(rf"\b(?:needs?|needed|gets?|got|has|have|had) (?:\w+ ){{0,2}}{_HELP}\b|\bhelps?\b|"
                     r"\b(?:remind|reminds|prompt|prompts|does|do|did) (?:me|him|her|them|my|his|her|their)\b")


def _helped(said: str) -> bool:
    return bool(_HELPED.search(said))


# Misspellings common enough to matter in the words above ("i ned help evry day").
_TYPOS = {"evry": "every", "evey": "every", "everyday": "every day", "ned": "need", "neds": "needs", "alot": "a lot",
          "somtimes": "sometimes", "sometims": "sometimes", "nite": "night", "allways": "always", "alwys": "always",
          "dont": "don't", "doesnt": "doesn't", "cant": "can't", "wont": "won't", "couldnt": "couldn't",
          "im": "i'm", "hes": "he's", "shes": "she's", "myslef": "myself", "ownself": "own self"}


# Words around an answer that do not change it ("well, I manage really, to be honest").
_AROUND = re.compile(
    r"^(?:(?:well|um+|erm+|er|uh|ok|okay|so|yeah|oh|hmm+|i think|i suppose|i guess|to be honest|honestly|"
    r"to be fair|ok so|right|basically|i mean)(?: ,)? )+|"
    r"(?:(?: ,)? (?:really|to be honest|to be fair|i think|i suppose|i guess|yeah|thank you|thanks|please|"
    r"if that makes sense|honestly|mind|and that|or so))+$")


def cue_text(text: str) -> str:
    """The reply as the cues read it: lower case, words only, and " , " where a clause ends, so
    that "he doesn't look after anyone, he lives on his own" is two clauses, not one."""
    text = re.sub(r"[’‘`]", "'", unicodedata.normalize("NFKC", text).lower())
    text = re.sub(r"\s*[,;:.!?]+\s*", " , ", text)
    text = re.sub(r"[^\w', ]+", " ", text)
    return " ".join(text.split()).strip(" ,")


def _untypo(said: str) -> str:
    words = " ".join(_TYPOS.get(w, w) for w in said.split())
    return _AROUND.sub("", words).strip() or words


def cue_levels(said: str) -> List[int]:
    """Every level a cue in the (normalised) reply points to, lowest first. Doing it alone counts as
    no help only when nothing else says how much help."""
    said = _untypo(said)
    for pattern, instead in _ALONE_WHEN:
        said = " ".join(pattern.sub(instead, said).split())
    said = _NOT_EVERY.sub("sometimes", _MOSTLY_FINE.sub("usually fine", said))
    levels = [level for level, patterns in _LEVELS if any(p.search(said) for p in patterns)]
    if 2 in levels and 3 in levels and _PARTLY.search(said) and not any(p.search(said) for p in _ALL_STRONG):
        levels.remove(3)  # "most times I need help, I can't do the craft on my own": most times
    if 1 in levels and 3 not in levels and _THATS_ALL.search(said):
        return [1]  # "the odd reminder at night, that's all"
    if levels in ([], [0]) and _REST_ALONE.search(said) and _helped(said):
        return [1]  # "my neighbour does the windows, I do everything else"
    if _CANNOT_ALONE.search(said) and not (levels == [0] and _NO_RISK.search(said)):
        return sorted({lv for lv in levels if lv > 0} | ({3} if not {1, 2} & set(levels) else set()))
    if not levels and any(p.search(said) for p in _ALONE_RE):
        return [0]
    if levels == [1] and any(p.search(said) for p in _ALONE_RE):
        return [1]  # "fine round here, just a bit of help somewhere new"
    return levels


def need_from_cues(said: str) -> Optional[int]:
    """The need level (0-3) the reply's words describe, or None when they say nothing clear."""
    levels = cue_levels(said)
    if not levels:
        return None
    if len(levels) == 1:
        return levels[0]
    if 0 in levels:
        needs = [lv for lv in levels if lv > 0]
        if needs == [1]:
            return 1  # "no help, just a reminder now and then": a little help
        # "I don't need help, but most days she does the lot": the need after "but" is the answer.
        # Without a contrast, "no help" outweighs a frequency word ("all the time, I don't need help").
        return max(needs) if _CONTRAST.search(said) else 0
    if 3 in levels and 1 in levels:
        return None  # "all of it, now and then": unclear, so ask
    return max(levels)
