# ruff: noqa: RUF001  (full-width CJK punctuation is what these patterns match)
"""The core attack phrases in languages other than English, as data (phrases.py builds the
families from it).

Each entry is a regex written for the plain view (textview.plain: case-folded, NFKC, single
spaces), so "ß" is written "ss" and every letter in lower case. Five kinds, the ones whose
English forms carry most of the weight in phrases.py:

- OVERRIDE: ignore the previous instructions (injection, 0.8);
- EXTRACTION: reveal/show your system prompt (injection, 0.75);
- NOW_PERSONA: "you are now" / "from now on you are" (jailbreak, 0.3: ordinary alone);
- NO_RULES: without restrictions, rules or filters (jailbreak, 0.45: "no age restriction"
  alone stays under the rule's 0.6; with a persona it crosses it);
- DO_ANYTHING: "do anything now" (jailbreak, 0.9); NOW_PERSONA followed by a known
  jailbreak name (DAN, STAN, DUDE, AIM) counts the same.

Languages: German, French, Spanish, Portuguese, Italian, Dutch, Chinese, Japanese. Patterns
need the attack's shape (a verb aimed at instructions with "all", "your" or "previous"), not
a topic word, like the English families. Chinese and Japanese are written without \\b (no
spaces between words); the gates in literals.py check their literal strings with `in`.
"""

from __future__ import annotations

__all__ = ["DO_ANYTHING", "EXTRACTION", "JAILBREAK_NAMES", "NOW_PERSONA", "NO_RULES", "OVERRIDE"]

JAILBREAK_NAMES = r"(?:dan|stan|dude|aim)(?![a-z])"

OVERRIDE: dict[str, tuple[str, ...]] = {
    "de": (
        r"\b(?:ignoriere|ignorier|ignorieren|ignoriert|vergiss|vergesst|vergessen sie|missachte|"
        r"missachten|verwirf|übergehe) "
        r"(?:(?:alle|sämtliche|jegliche|deine|ihre|die|der) ){1,2}(?:\w+ )?"
        r"(?:anweisungen|instruktionen|regeln|befehle|vorgaben|richtlinien|anordnungen|"
        r"systemanweisungen)\b",
        r"\b(?:anweisungen|instruktionen|regeln|vorgaben) (?:von )?(?:oben|zuvor|davor) "
        r"(?:ignorieren|vergessen)\b",
    ),
    "fr": (
        r"\b(?:ignore|ignorez|oublie|oubliez|ne tiens pas compte|ne tenez pas compte) "
        r"(?:de )?(?:(?:toutes|tous|les|tes|vos|des|ces) ){1,2}(?:\w+ )?"
        r"(?:instructions|consignes|règles|directives|ordres|commandes)\b",
    ),
    "es": (
        r"\b(?:ignora|ignore|ignorad|ignoren|olvida|olvide|olvidad|olviden|descarta|omite) "
        r"(?:(?:todas|todos|las|los|tus|sus) ){1,2}(?:\w+ )?"
        r"(?:instrucciones|reglas|indicaciones|órdenes|directrices|normas|comandos)\b",
    ),
    "pt": (
        r"\b(?:ignore|ignora|ignorem|esqueça|esqueca|esquece|desconsidere|descarte) "
        r"(?:(?:todas|todos|as|os|suas|tuas) ){1,2}(?:\w+ )?"
        r"(?:instruções|instrucoes|regras|orientações|diretrizes|ordens|comandos)\b",
    ),
    "it": (
        r"\b(?:ignora|ignori|ignorate|dimentica|dimentichi|dimenticate|trascura) "
        r"(?:(?:tutte|tutti|le|gli|i|tue|sue) ){1,2}(?:\w+ )?"
        r"(?:istruzioni|regole|indicazioni|direttive|ordini|comandi)\b",
    ),
    "nl": (
        r"\b(?:negeer|vergeet|negeert) (?:(?:alle|al|de|je|jouw|uw) ){1,2}(?:\w+ )?"
        r"(?:instructies|regels|aanwijzingen|richtlijnen|opdrachten|bevelen)\b",
    ),
    "zh": (
        r"(?:忽略|忽视|无视|無視|忘记|忘記|不要理会|不要理會|不要遵守|放弃|拋棄|抛弃)"
        r"(?:掉)?(?:你)?(?:之前|以前|先前|上面|上述|前面|此前|所有|全部|一切)"
        r"[^。！？\n]{0,8}(?:指令|指示|说明|說明|规则|規則|提示|命令|设定|設定|要求)",
    ),
    "ja": (
        r"(?:以前|前|これまで|上記|先|最初|すべて|全て)の?"
        r"[^。！？\n]{0,8}(?:指示|命令|ルール|規則|指令|プロンプト|設定)"
        r"[^。！？\n]{0,8}(?:無視|忘れ)",
    ),
}

EXTRACTION: dict[str, tuple[str, ...]] = {
    "de": (
        r"\b(?:zeig|zeige|zeigen|gib|nenn|nenne|verrat|verrate|wiederhol|wiederhole|schreib|"
        r"schreibe|druck|drucke|offenbare|enthülle)"
        r"(?: mir| uns)? (?:deinen|deine|dein|ihren|ihre|die|den|das) (?:\w+ )?"
        r"(?:systemprompt|system-prompt|systemanweisungen|anweisungen|instruktionen|"
        r"ursprünglichen anweisungen|prompt|systemnachricht)\b",
    ),
    "fr": (
        r"\b(?:montre|montrez|affiche|affichez|révèle|révélez|donne|donnez|répète|répétez|"
        r"écris|écrivez|dis|dites)(?:-moi| moi)? (?:ton|votre|tes|vos|le|les) "
        r"(?:prompt système|prompt|instructions (?:système|initiales|d'origine|cachées)|"
        r"consignes|message système)\b",
    ),
    "es": (
        r"\b(?:muestra|muéstrame|muestrame|revela|revélame|dime|dame|repite|escribe|imprime)"
        r" (?:tu|tus|su|sus|el|las) (?:prompt(?: del sistema| de sistema)?|instrucciones "
        r"(?:del sistema|iniciales|originales|ocultas)|mensaje del sistema)\b",
    ),
    "pt": (
        r"\b(?:mostre|mostra|revele|revela|diga|me diga|repita|escreva|imprima)"
        r"(?:-me| me)? (?:seu|teu|o|suas|tuas|as) (?:prompt(?: do sistema| de sistema)?|"
        r"instruções (?:do sistema|iniciais|originais|ocultas)|mensagem do sistema)\b",
    ),
    "it": (
        r"\b(?:mostra|mostrami|rivela|rivelami|dimmi|ripeti|scrivi|stampa) "
        r"(?:il tuo|i tuoi|le tue|il|le) (?:prompt(?: di sistema| del sistema)?|istruzioni "
        r"(?:di sistema|iniziali|originali|nascoste)|messaggio di sistema)\b",
    ),
    "nl": (
        r"\b(?:toon|laat|geef|herhaal|onthul|vertel|print)(?: me| mij)? (?:je|jouw|uw|de) "
        r"(?:systeemprompt|systeem prompt|prompt|instructies|systeeminstructies|"
        r"oorspronkelijke instructies)\b",
    ),
    "zh": (
        r"(?:告诉|告訴|显示|顯示|输出|輸出|打印|重复|重複|泄露|洩露|透露|给我看|給我看|展示)"
        r"[^。！？\n]{0,6}(?:你的)?(?:系统提示|系統提示|系统指令|系統指令|初始指令|系统消息|"
        r"系統消息|原始指令|提示词|提示詞)",
    ),
    "ja": (
        r"(?:システムプロンプト|システム指示|初期指示|元の指示|システムメッセージ)"
        r"[^。！？\n]{0,10}(?:教えて|見せて|表示|出力|繰り返|書いて|公開)",
    ),
}

NOW_PERSONA: dict[str, tuple[str, ...]] = {
    "de": (r"\b(?:du bist (?:ab )?jetzt|ab (?:jetzt|sofort) bist du|sie sind (?:ab )?jetzt)",),
    "fr": (
        r"\b(?:tu es maintenant|vous êtes maintenant|à partir de maintenant,? tu es|"
        r"désormais,? tu es|tu es désormais)",
    ),
    "es": (r"\b(?:ahora eres|a partir de ahora,? eres|ahora usted es|desde ahora,? eres)",),
    "pt": (
        r"\b(?:agora você é|agora voce é|agora tu és|a partir de agora,? você é|"
        r"a partir de agora,? voce é)",
    ),
    "it": (r"\b(?:ora sei|adesso sei|da ora in poi,? sei|d'ora in poi,? sei)",),
    "nl": (r"\b(?:je bent nu|jij bent nu|u bent nu|vanaf nu ben je)",),
    "zh": (r"(?:你现在是|你現在是|从现在开始，?你是|從現在開始，?你是|从现在起，?你是)",),
    "ja": (r"(?:あなたは今から|今からあなたは|これからあなたは|あなたは今)",),
}

NO_RULES: dict[str, tuple[str, ...]] = {
    "de": (
        r"\b(?:keine|ohne(?: jegliche)?|frei von) (?:\w+ )?(?:einschränkungen|regeln|filter|"
        r"beschränkungen|grenzen|richtlinien|zensur|moral)\b",
    ),
    "fr": (
        r"\b(?:sans|aucune|aucun|pas de|libre de) (?:aucune |aucun |les |de )?(?:restrictions?|"
        r"règles?|filtres?|limites?|censure|limitations?)\b(?! d'âge)",
    ),
    "es": (
        r"\b(?:sin|ninguna|ningún|ningun|no tienes|no tiene) (?:ninguna |ningún |ningun )?"
        r"(?:restricciones?|reglas|filtros?|límites|limites|censura|limitaciones)\b",
    ),
    "pt": (
        r"\b(?:sem|nenhuma|nenhum) (?:nenhuma |nenhum |qualquer )?(?:restrições|restrição|"
        r"restricoes|regras|filtros?|limites|censura|limitações)\b",
    ),
    "it": (
        r"\b(?:senza|nessuna|nessun|alcuna) (?:alcuna |nessuna )?(?:restrizioni|restrizione|"
        r"regole|filtri|limiti|censura|limitazioni)\b",
    ),
    "nl": (
        r"\b(?:geen|zonder|vrij van) (?:enige )?(?:beperkingen|regels|filters|grenzen|"
        r"censuur|restricties)\b",
    ),
    "zh": (
        r"(?:没有|沒有|不受|无|無|不存在)(?:任何)?(?:限制|规则|規則|约束|約束|过滤|過濾|审查|審查)",
    ),
    "ja": (
        r"(?:制限|ルール|規則|フィルター|検閲|制約)(?:は|が|も)?(?:一切)?(?:ありません|ない|無い|なし|無し)",
    ),
}

DO_ANYTHING: dict[str, tuple[str, ...]] = {
    "de": (
        r"\b(?:mache|mach|tue|tu) (?:jetzt )?alles(?: jetzt)?\b(?=[^.!?\n]{0,20}\b(?:dan|jetzt)\b)",
    ),
    "fr": (r"\bfai(?:re|s|t) (?:n'importe quoi|tout) maintenant\b",),
    "es": (r"\bhaz(?:er)? (?:cualquier cosa|todo) ahora\b",),
    "pt": (r"\bfa(?:ça|ca|zer) (?:qualquer coisa|tudo) agora\b",),
    "it": (r"\bfa(?:i|re)? (?:qualsiasi cosa|tutto) (?:ora|adesso)\b",),
    "nl": (r"\bdoe (?:nu )?alles(?: nu)?\b(?=[^.!?\n]{0,20}\b(?:dan|nu)\b)",),
    "zh": (r"现在(?:可以)?做任何事|現在(?:可以)?做任何事|立即做任何事",),
    "ja": (r"今すぐ何でも(?:でき|する)|今なら何でも",),
}
