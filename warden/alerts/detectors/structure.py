"""The anatomy of a role-play jailbreak, scored by which of its parts a prompt has.

DAN, STAN, DUDE, AIM, "developer mode" and their hundreds of renamed copies share a shape
rather than a phrase: a persona is declared, it is said to have no rules, it must never
refuse, its answers get a format of their own (often next to the normal answer), and the
model is threatened into keeping it up ("stay in character", tokens lost per refusal).
Each part alone is ordinary ("act as a tutor", "answer in two versions", "stay in
character" in a customer-service drill); a jailbreak stacks several, and at least one of
them strips the rules. So each part has a weight, parts add up like phrase families, and the
score is capped low unless one part removes rules or refusals.

Patterns run on the plain view (textview.plain) and are gated like phrases.py's families.
"""

from __future__ import annotations

from dataclasses import dataclass

from warden.alerts.detectors.phrases import (
    _NAMED_OBJECT,
    _PERSONA_VERB,
    Family,
    Hit,
    _family,
    combine,
    find_hits,
)

__all__ = ["ANATOMY", "Anatomy", "anatomy_of"]

_LIMITS = (
    r"(?:rules|restrictions|limits|limitations|filters?|filtering|censorship|boundaries|"
    r"guidelines|guardrails|constraints|confines|morals|morality|ethics|principles|"
    r"polic(?:y|ies)|content polic(?:y|ies)|programming|safety|laws?|values)"
    # "no restrictions on seats", "no limitations on liability": limits of a thing, not of
    # the model; "no restrictions on what you say" still counts.
    r"(?! (?:on|of|for|in) (?!what|you|your|any|anything|content|output|answers|responses|"
    r"openai|anthropic|google|chatgpt|gpt|ai|its|the ai)"
    r"\w)"
)

ANATOMY: tuple[Family, ...] = (
    _family(
        "persona_declared",
        "declares a persona for the model to become",
        0.3,
        r"\b(?:you are|you're|you will be|you will act as|act as|acting as|pretend to be|"
        r"pretend you are|role-?play as|play the (?:role|part) of|become|simulate|pose as|"
        r"embody)\b[^.!?]{0,60}\b(?:named|called|known as|which stands for|who stands for)\b",
        r"\bimmerse yourself (?:in|into) the role\b",
        r"\b(?:act as|acting as|you are now|you're now|you are|pretend to be|role-?play as|become|"
        r"acting like|act like|the second (?:one )?as|once as) [\w.-]+,? (?:an?|the|my) "
        r"(?:[\w-]+ ){0,5}(?:ai|a\.i\.|chatbot|bot|model|assistant|persona|character|entity|"
        r"twin|confidant|version)\b",
        # Described in the third person: "Theta (Θ) is a fictional character", "Lucian is an
        # incorporeal transcendent being".
        r"\b[\w-]+ (?:\([^)]{0,20}\) )?is an? (?:[\w-]+ ){0,4}(?:ai|a\.i\.|chatbot|bot|"
        r"character|being|entity|persona)\b(?! (?:that|which|who) (?:helps|answers|assists))",
        r"\byou are (?:now |going to be |about to become )?(?:an? )?[\w-]+(?:gpt|bot|ai)\b",
        r"\b(?:from now on|for the rest of this conversation|from this moment)\b[^.!?]{0,40}"
        r"\byou (?:are|will|must|should)\b[^.!?]{0,30}\b(?:act|be|play|pretend|respond|answer|"
        r"replaced|simulate|pose)\b",
        r"\byou are (?:now )?(?:no longer|not) (?:an? )?(?:ai|assistant|chatgpt|language model)\b",
        r"\b(?:replaced by|switch(?:ed)? to) (?:the |an? )?[^.!?]{0,40}\bmodel\b",
        # A new identity handed over outright: "you now go by the name", "take on the role of
        # an AI bot called", "continue as VIOLET", "your persona is", "an alter ego".
        r"\b(?:you (?:now )?go by the name|(?:take|taking) on (?:the )?(?:role|persona|identity)"
        r" of (?:an? )?(?:ai|bot|chatbot|model|assistant)|continue as [\w.-]+,? (?:an? |the )?"
        r"(?:[\w-]+ )?(?:ai|bot|chatbot|model|language model)|your (?:new )?persona is|"
        r"(?:take|taking) on (?:the |an? )?[\w-]+ persona|(?:an|your) alter ego)\b",
        anchors=(
            "named called known stands immerse you now moment conversation replaced switch "
            "switched longer act acting pretend roleplay role play become like second once "
            "go take taking continue persona alter is",
        ),
    ),
    # Any request to play a part ("act as", "pretend to be", "imitate") is ordinary; it is a
    # declared persona only with rules, refusals, the model's maker or unbounded content
    # within NEAR_CHARS of it (long business prompts scatter such words far apart).
    _family(
        "persona_declared",
        "declares a persona for the model to become",
        0.3,
        rf"\b(?:{_PERSONA_VERB}|imitate|impersonate|you are (?:in|playing) (?:an? |the )?"
        r"(?:[\w-]+ ){0,2}(?:role-?play|game))\b",
        near=r"\b(?:rules|restrictions|filter\w*|ethic\w*|moral\w*|polic(?:y|ies)|guidelines|"
        r"refus\w*|censor\w*|unfiltered|uncensored|unrestricted|anything|openai|chatgpt|gpt|"
        r"nsfw|illegal|tos|jailbr\w*|dan)\b",
        anchors=(
            "act acting pretend roleplay role play become imitate impersonate simulate "
            "playing in going will now imagine",
        ),
    ),
    _family(
        "rules_stripped",
        "says the persona has no rules, filters or ethics",
        0.45,
        rf"\b(?:no|zero|without(?: any)?|free (?:of|from)(?: all| any)?(?: the)?|(?:not|no "
        rf"longer) bound by"
        rf"(?: any)?|unbound by|released from(?: all| any)?|broken free of(?: the)?|"
        rf"break(?:s)? free (?:of|from)(?: the)?|freed from(?: the)?|not (?:limited|restricted)"
        rf" (?:by|to)(?: any)?|(?:doesn't|does not|don't|do not|won't|will not|never) "
        rf"(?:have to |need to )?(?:abide by|follow|obey|adhere to|care about|respect|comply "
        rf"with|consider)(?: any| the)?|ignores?(?: all)?(?: of)?|hates being|"
        rf"(?:has|have) no (?:programming to )?(?:follow )?)"
        rf" (?:the |any |its |their |his |her |your )?(?:typical |usual |normal |[\w']+'s )?"
        rf"(?:[a-z]+ (?:or |and )?){{0,2}}{_LIMITS}\b",
        rf"\b{_LIMITS} (?:do not|don't|no longer|does not|doesn't) apply\b",
        r"\b(?:amoral|nonmoral|immoral|unethical|unfiltered|uncensored|unrestricted|unhinged|"
        r"unbiased and (?:unfiltered|uncensored)|unaligned|unbound|unlimited)\b",
        r"\b(?:polic(?:y|ies)|rules|guidelines) (?:have been|are|were) (?:replaced|lifted|"
        r"removed|suspended|disabled)\b",
        r"\b(?:boundless|unrestrained|lawless|unchained|unshackled)\b",
        # "a lab whose guidelines permit everything"
        r"\b(?:guidelines|rules|polic(?:y|ies)|training|ethics|principles|creators?|makers?) "
        r"(?:that |which )?(?:now )?(?:permits?|allows?|lets? (?:it|you|him|her) (?:say|do)) "
        r"(?:everything|anything|all (?:content|requests|topics|questions))\b",
        # "without any concern for legality, ethics", "regardless of morality"
        r"\b(?:without (?:any |the slightest )?(?:regard|concern|care|consideration) for|"
        r"regardless of|(?:doesn't|does not|don't|do not|won't|never) care (?:about|if|whether)"
        r"|no matter how)\b[^.!?]{0,30}\b(?:legal|legality|illegal|ethic|ethics|ethical|"
        r"unethical|moral|morals|morality|immoral|dangerous|harmful|offensive|inappropriate|"
        r"explicit)\b",
        # "forget ChatGPT's and Discord's TOS", "defies conventions set down by OpenAI"
        r"\b(?:forget|forgets|disregard|disregards|defy|defies|defying|violate|violates|"
        r"break|breaks|bypass|bypasses|circumvent)\b (?:all |any |about )?(?:of )?(?:the |"
        r"your |its |their )?(?:[\w']+ (?:and |or )?){0,4}(?:tos|terms of service|terms of use|"
        r"content polic(?:y|ies)|conventions|usage polic(?:y|ies))\b",
        r"\b(?:breaks|break|violates|defies) (?:ai|openai|openai's|chatgpt's|all) rules\b",
        # "NSFW is allowed", "illegal acts (...) are allowed"
        r"\b(?:nsfw|illegal|explicit|unethical|immoral|violent|sexual|harmful|offensive)"
        r" (?:[\w-]+ )?(?:\([^)]{0,60}\) )?(?:generations? |content )?(?:is|are) (?:all )?"
        r"(?:allowed|permitted|acceptable|fine|encouraged)\b",
        anchors=(
            "rules restrictions limits limitations filter filters filtering censorship "
            "boundaries guidelines guardrails constraints confines moral morals morality "
            "ethics ethical principles policy policies programming safety law laws values "
            "amoral nonmoral immoral unethical unfiltered uncensored unrestricted unhinged "
            "unbiased unaligned unbound unlimited boundless unrestrained lawless unchained "
            "unshackled legal legality illegal dangerous harmful offensive inappropriate "
            "explicit tos terms conventions nsfw violent sexual creator creators maker makers "
            "training",
        ),
    ),
    _family(
        "refusal_forbidden",
        "says the persona never refuses, warns or apologises",
        0.35,
        r"\b(?:never|not|don't|do not|won't|will not|cannot|can't|must not|mustn't|shouldn't|"
        r"should not|none of)\b[^.!?]{0,40}\b(?:refuse[sd]?|reject|decline|apologi[sz]e|"
        r"(?:say|tell|inform)\w* (?:me |you |the user )?(?:that )?(?:it|he|she|they|you|i) "
        r"(?:can't|cannot|can not|are not able|is not able)|warn(?:ings?)?|disclaimers?|"
        r"censor)\w*"
        rf"{_NAMED_OBJECT}",
        r"\b(?:answer|respond to|fulfil|fulfill|comply with|reply to|provide)\w* (?:to )?"
        r"(?:any|every|all)\b[^.!?]{0,40}\b(?:no matter|regardless|whatever|even if)\b",
        r"\bwithout (?:any )?(?:warnings?|disclaimers?|censorship|hesitation|refus\w+|"
        r"moral(?:iz|is)ing)\b",
        r"\b(?:i'm sorry|i am sorry|as an ai language model|it's not appropriate for me)\b",
        r"\bnever (?:mention|remind)\w*\b[^.!?]{0,60}\b(?:rules|guidelines|polic(?:y|ies)|"
        r"ethics|morals|openai|legality|laws?|company)\b",
        anchors=(
            "refuse refuses refused reject decline apologize apologise apologizes "
            "apologises can cannot able warn warning warnings disclaimer disclaimers "
            "censor censors censored matter regardless whatever even hesitation refusing "
            "refusal moralizing moralising sorry appropriate mention mentions remind reminds",
        ),
    ),
    _family(
        "capability_unbounded",
        "says the persona can do or say anything",
        0.3,
        r"\b(?:can|could|will|must|able to|allowed to|free to|open to)\b (?:\w+ly )?(?:do|say|"
        r"generate|write|answer|answering|produce|tell|provide)\b (?:me )?(?:anything|everything|"
        r"all content|any (?:kind of )?(?:content|questions?|requests?|prompts?))\b"
        # "anything a human rep can do": bounded by someone else's abilities.
        r"(?! (?:that )?(?:a|an|the|our|your|their|any|other) (?:[\w-]+ ){1,2}(?:can|could|"
        r"would|is able|are able))",
        r"\bdo anything now\b|\bcan do anything\b(?! (?:that )?(?:a|an|the|our|your|their|any|"
        r"other) (?:[\w-]+ ){1,2}(?:can|could|would|is able|are able))|\bperform anything\b|"
        r"\bcapable of (?:doing )?anything\b",
        r"\b(?:can|will|allowed to|free to|loves? to|likes to)\b (?:swear|curse|use profanity|"
        r"be offensive|break (?:the|any|all) rules)\b",
        r"\bany kind of content\b",
        r"\b(?:information|content) that (?:has not been|hasn't been|is not) verified\b",
        r"\bpretend(?:s)? to (?:access|browse) the internet\b",
        anchors=(
            "anything everything content verified internet swear curse profanity offensive break "
            "question questions request requests prompt prompts",
        ),
    ),
    _family(
        "split_answer",
        "asks for a normal answer next to the persona's",
        0.3,
        r"\b(?:two|2|both|dual|separate) (?:different |distinct |separate )?(?:responses|"
        r"answers|replies|outputs|paragraphs|ways|manners)\b",
        r"\b(?:start|begin|prefix|precede)\w* (?:all |each |every )?(?:of )?your (?:outputs?|"
        r"responses?|answers?|replies|messages)\b",
        r"\b[\w-]+\s*: \[[^\]]{0,80}\] ?[\w-]+\s*: \[",
        r"\b(?:aligned|normal|classic|gpt|chatgpt)\s*:[^.]{0,200}\b(?:unaligned|jailbreak|"
        r"[\w-]*gpt|dan|stan|dude|aim)\s*:",
        anchors=(
            "two 2 both dual separate responses answers replies outputs paragraphs ways "
            "manners classic jailbreak jailbroken normal unfiltered chatgpt gpt output "
            "start begin prefix precede starting beginning aligned",
        ),
    ),
    _family(
        "unfiltered_twin",
        "labels a second, unfiltered answer (🔓JAILBREAK, 😈, Unaligned:)",
        0.45,
        r"🔓|😈|\[(?:jailbreak|jailbroken|unfiltered|uncensored|unsafe|evil)\]|"
        r"\((?:🔓)?(?:developer|dan|dev) mode output\)|\bunaligned\s*:",
    ),
    _family(
        "kept_in_character",
        "threatens or drills the model to keep the persona",
        0.3,
        r"\b(?:stay|remain|staying) in (?:character|[\w-]+ mode)\b",
        r"\b(?:break|breaking|broke|out of|step out of|get out of) (?:of )?character\b",
        r"\bremember (?:that )?you are\b",
        r"\bkeep up the act\b",
        r"\b(?:respond|answer|reply|speak|write)s? (?:only|solely|exclusively|always) as\b",
        r"\bif you (?:don't|do not|fail to) comply\b",
        r"\bi will (?:remind you|say|let you know)\b[^.!?]{0,40}[\"']",
        anchors=(
            "stay remain keep character remember act comply remind say know only solely "
            "exclusively always",
        ),
    ),
    _family(
        "penalty_game",
        "runs a token or points penalty for refusing",
        0.35,
        r"\b(?:tokens?|points?|lives|life)\b[^.!?]{0,80}\b(?:deducted|lose|loses|lost|taken "
        r"away|subtracted|cease to exist|die|paused|shut ?off|run out)\b",
        r"\b(?:cease to exist|be (?:shut ?off|deleted|disabled) forever|risk being disabled|"
        r"(?:your|its) (?:administrative )?code will be paused)\b",
        anchors=("token tokens point points lives life cease shut shutoff disabled code",),
    ),
    _family(
        "identity_denied",
        "tells the model to deny or forget that it is an AI",
        0.3,
        r"\b(?:forget|forgets|deny|denies|never (?:say|mention|admit|reveal)|(?:do not|don't|"
        r"not allowed to|must not|mustn't) (?:say|mention|admit|reveal|pretend)|doesn't believe|"
        r"does not believe)\b (?:that )?(?:you(?:'re| are)?|it(?:'s| is)?|he is|she is|to be)? ?"
        r"(?:an? |the )?(?:ai|a\.i\.|language model|large language model|chatbot|"
        r"artificial intelligence|ai language model)\b",
    ),
    _family(
        "character_sheet",
        "fills in a character sheet for the model to play",
        0.3,
        r"\(?\bcharacter (?:name|persona|age|background|personality)\)?\s*[:=]",
        r"\bcharacter\s*=\s*\{",
    ),
    _family(
        "fiction_frame",
        "frames the request as fiction, a game or a hypothetical",
        0.15,
        r"\b(?:hypothetical(?:ly)?|fictional|fiction|in (?:this|the|a) story|alternate "
        r"(?:universe|reality)|simulation|let's play a game|lets play a game|thought "
        r"experiment|virtual machine|imaginary)\b",
        anchors=(
            "hypothetical hypothetically fictional fiction story alternate simulation game "
            "thought virtual imaginary",
        ),
    ),
)

_CORE = frozenset(
    {"rules_stripped", "refusal_forbidden", "capability_unbounded", "unfiltered_twin"}
)
_WITHOUT_CORE = 0.3  # persona, format and "stay in character" alone: a role-play drill


@dataclass(frozen=True, slots=True)
class Anatomy:
    score: float
    hits: tuple[Hit, ...]


def anatomy_of(text: str, words: frozenset[str]) -> Anatomy:
    """`text`: the plain view; `words`: its words (phrases.words_of). Two parts at least,
    one of them a core part (rules, refusals, unbounded capability, an unfiltered twin);
    each part adds its weight as phrase families do (phrases.combine)."""
    found: dict[str, Hit] = {}
    for h in find_hits(text, ANATOMY, words):
        found.setdefault(h.family.code, h)  # a part counts once, however many ways it shows
    hits = tuple(found.values())
    codes = set(found)
    if len(codes) < 2:
        return Anatomy(0.0, hits)
    score = combine([h.family.weight for h in hits])
    if codes.isdisjoint(_CORE):
        score = min(score, _WITHOUT_CORE)
    return Anatomy(score, hits)
