"""Replace what DLP found in a request body, keeping the body valid for its provider.

JSON bodies are parsed, each affected string (at its segment's path) is rewritten right to
left, and the document is serialised compactly again; that covers message strings, multi-part
content arrays and tool-call arguments (JSON inside a JSON string: the scan view undid its
escapes, so a finding covers whole escape sequences, and the replacements contain no quote or
backslash, so the inner JSON stays valid). Text bodies are rewritten in place; multipart form
fields are rewritten part by part with the boundaries untouched.

Object keys are renamed in place (a key can be the secret); the URL path and query are
rewritten by the caller from `Redaction.target_edits` (envelope.rewrite_target). Text that
cannot be rewritten (read out of a file or a document, a header) is never forwarded with a
finding a rule wants replaced: redact() raises Unredactable, and the request is refused.

Replacements: a typed mask `[REDACTED:OPENAI_API_KEY]`, or a numbered placeholder
`<EMAIL_1>` that is the same for the same value everywhere in the request. For
reversible placeholders the original values are kept in a RestoreMap, in memory only; a
secret is never reversible (a reversible spec masks it).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from warden.dlp.entities import PLACEHOLDER_NAMES, SECRET_ENTITIES, expand_entities
from warden.dlp.restore import RestoreMap
from warden.dlp.types import Finding, RedactionSpec, RedactionStyle
from warden.schemas.envelope import rewrite_form_urlencoded
from warden.schemas.headers import parse_header
from warden.schemas.normalized import Channel, Inner, JsonPath, KeyOf, NormalizedRequest

__all__ = ["Redaction", "RedactionError", "Unredactable", "redact"]

type Edits = dict[JsonPath, list[tuple[int, int, str]]]


class RedactionError(ValueError):
    """The body could not be rewritten; the request must not be forwarded as it is."""


class Unredactable(RedactionError):
    """Findings a rule wants replaced sit where Warden cannot rewrite them (a file, a header)."""

    def __init__(self, places: list[str], types: list[str]) -> None:
        self.places = places
        self.types = types
        super().__init__(f"{', '.join(types)} in {'; '.join(places)}")


@dataclass(frozen=True)
class Redaction:
    body: bytes
    counts: dict[str, int] = field(default_factory=dict)  # replaced values per entity type
    restore: RestoreMap | None = None  # placeholders to put back in the answer
    # Replacements in the URL path and query, for envelope.rewrite_target.
    target_edits: Edits = field(default_factory=dict)
    # Values a rule wanted replaced but left in place (unredactable: monitor), per type.
    left: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Redaction {self.count} values, {len(self.body)} bytes>"

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> dict[str, object]:
        """What was replaced, for the audit record: types and counts, never values."""
        summary: dict[str, object] = {
            "count": self.count,
            "by_type": dict(sorted(self.counts.items())),
            "reversible": self.restore is not None and len(self.restore) > 0,
        }
        if self.left:
            summary["left_in_place"] = dict(sorted(self.left.items()))
        return summary


def redact(
    body: bytes,
    request: NormalizedRequest,
    findings: Sequence[Finding],
    specs: Sequence[RedactionSpec],
    *,
    content_type: str | None = None,
) -> Redaction:
    plan = _Plan(specs)
    segments = {segment.path: segment for segment in request.all_segments()}
    edits: Edits = {}
    refused: dict[str, set[str]] = {}
    for finding in findings:
        segment = segments.get(finding.path)
        spec = plan.spec_for(finding.entity_type)
        if segment is None or spec is None:
            continue
        if not segment.redactable:
            if spec.unredactable == "monitor":
                plan.left[finding.entity_type] = plan.left.get(finding.entity_type, 0) + 1
            else:
                refused.setdefault(_place(finding.path), set()).add(finding.entity_type)
            continue
        original = segment.text[finding.start : finding.end]
        replacement = plan.replacement(finding, spec, original)
        edits.setdefault(finding.path, []).append((finding.start, finding.end, replacement))
    if refused:
        raise Unredactable(list(refused), sorted(set().union(*refused.values())))
    target = {p: e for p, e in edits.items() if p and p[0] in (Channel.URL, Channel.QUERY)}
    body_edits = {p: e for p, e in edits.items() if p not in target}
    if not body_edits:
        if not target:
            return Redaction(body, left=plan.left)
        return Redaction(body, plan.counts, plan.restore_map(), target, plan.left)
    texts = {path: segments[path].text for path in body_edits}
    new_texts = {path: _apply(texts[path], spans) for path, spans in body_edits.items()}
    if request.body_format == "json":
        new_body = _rewrite_json(body, new_texts)
    elif request.body_format == "text":
        new_body = _rewrite_text(body, new_texts, content_type)
    elif request.body_format == "urlencoded":
        by_piece = {
            path[1]: spans for path, spans in body_edits.items() if isinstance(path[1], int)
        }
        new_body = rewrite_form_urlencoded(body.decode("ascii"), by_piece).encode("ascii")
    elif request.body_format == "multipart":
        new_body = _rewrite_form(body, new_texts, texts, content_type)
    else:
        raise RedactionError(f"cannot redact a {request.body_format} body")
    return Redaction(new_body, plan.counts, plan.restore_map(), target, plan.left)


def _place(path: JsonPath) -> str:
    """Where a finding sits, in words for the person whose request is refused."""
    if path and path[0] is Channel.HEADER and len(path) > 2:
        return f"the request header {path[2]}"
    if len(path) > 1 and path[0] == "form":
        return f"the file or field '{path[1]}' of the form"
    if path and path[0] == "body":
        return "the file sent as the request body"
    inner = next((p for p in path if isinstance(p, Inner)), None)
    if inner is not None:
        return f"an attached file ({inner.name})"
    if path and isinstance(path[-1], KeyOf):
        return "a field name of the request"
    return "the request"


class _Plan:
    """Which spec covers each entity type, and the replacement text for each value."""

    def __init__(self, specs: Sequence[RedactionSpec]) -> None:
        self._specs = [(spec, expand_entities(spec.entities)) for spec in specs]
        self._any = [any(e.upper() == "ALL" for e in spec.entities) for spec in specs]
        self._placeholders: dict[str, str] = {}  # value hash -> placeholder
        self._numbers: dict[str, int] = {}
        self._originals: dict[str, str] = {}  # placeholder -> original (reversible only)
        self.counts: dict[str, int] = {}
        self.left: dict[str, int] = {}  # could not be rewritten, forwarded as the rule allows

    def spec_for(self, entity: str) -> RedactionSpec | None:
        for (spec, entities), any_type in zip(self._specs, self._any, strict=True):
            if any_type or entity in entities:
                return spec
        return None

    def replacement(self, finding: Finding, spec: RedactionSpec, original: str) -> str:
        entity = finding.entity_type
        self.counts[entity] = self.counts.get(entity, 0) + 1
        # A secret is never put back into the answer: under a reversible spec it is masked, so
        # neither the model nor the person reading the answer takes its placeholder for one
        # that comes back.
        if spec.style is RedactionStyle.MASK or (spec.reversible and entity in SECRET_ENTITIES):
            return f"[REDACTED:{entity}]"
        placeholder = self._placeholders.get(finding.value_hash)
        if placeholder is None:
            name = PLACEHOLDER_NAMES.get(entity, entity)
            self._numbers[name] = self._numbers.get(name, 0) + 1
            placeholder = f"<{name}_{self._numbers[name]}>"
            self._placeholders[finding.value_hash] = placeholder
        if spec.reversible:
            self._originals.setdefault(placeholder, original)
        return placeholder

    def restore_map(self) -> RestoreMap | None:
        return RestoreMap(self._originals) if self._originals else None


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    # Right to left, so earlier offsets stay valid. Overlaps were resolved by the scanner; a
    # span inside one already replaced is skipped rather than corrupting the text.
    out = text
    limit = len(text)
    for start, end, replacement in sorted(spans, reverse=True):
        if end > limit:
            continue
        out = out[:start] + replacement + out[end:]
        limit = start
    return out


def _rewrite_json(body: bytes, new_texts: dict[JsonPath, str]) -> bytes:
    try:
        doc = json.loads(body)
    except ValueError as e:
        raise RedactionError("the JSON body no longer parses") from e
    keys = [path for path in new_texts if path and isinstance(path[-1], KeyOf)]
    for path, text in new_texts.items():
        if path == () and isinstance(doc, str):
            doc = text  # the whole body is one JSON string
        elif path not in keys:
            _set(doc, path, text)
    # Keys after values (a value's path still names the old key), deepest first for the same
    # reason.
    for path in sorted(keys, key=len, reverse=True):
        _rename(doc, path, new_texts[path])
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rename(doc: Any, path: JsonPath, new_name: str) -> None:
    old = path[-1]
    assert isinstance(old, KeyOf)
    parent = doc
    try:
        for part in path[:-1]:
            parent = parent[part]  # type: ignore[index]
    except (KeyError, IndexError, TypeError) as e:
        raise RedactionError("a finding's key is not in the body") from e
    if not isinstance(parent, dict) or old.name not in parent:
        raise RedactionError("a finding's key is not in the body")
    name, n = new_name, 1
    while name in parent and name != old.name:  # two keys masked alike must both survive
        n += 1
        name = f"{new_name}#{n}"
    items = [(name if key == old.name else key, value) for key, value in parent.items()]
    parent.clear()
    parent.update(items)


def _set(doc: Any, path: JsonPath, value: str) -> None:
    if not path:
        raise RedactionError("a finding has an empty path")
    node = doc
    try:
        for part in path[:-1]:
            node = node[part]
        if not isinstance(node[path[-1]], str):
            raise RedactionError("a finding's path does not lead to a string")
        node[path[-1]] = value
    except (KeyError, IndexError, TypeError) as e:
        raise RedactionError("a finding's path is not in the body") from e


def _rewrite_text(body: bytes, new_texts: dict[JsonPath, str], content_type: str | None) -> bytes:
    charset = parse_header(content_type)[1].get("charset") or "utf-8"
    text = new_texts.get(("body",))
    if text is None:
        raise RedactionError("a text body has no ('body',) segment")
    try:
        return codecs.encode(text, charset)
    except (LookupError, UnicodeEncodeError):
        return text.encode("utf-8")


def _rewrite_form(
    body: bytes,
    new_texts: dict[JsonPath, str],
    old_texts: dict[JsonPath, str],
    content_type: str | None,
) -> bytes:
    boundary = parse_header(content_type)[1].get("boundary")
    if not boundary:
        raise RedactionError("multipart body without a boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1", "replace")
    out = body
    for path, text in new_texts.items():
        if len(path) < 2 or path[0] != "form":
            raise RedactionError("a multipart finding's path is not a form field")
        old = old_texts[path].encode("utf-8")
        new = text.encode("utf-8")
        # The field's data sits between its header block and the next delimiter.
        name = str(path[1]).encode("utf-8")
        at = out.find(b'name="' + name + b'"')
        while at >= 0:
            data_start = out.find(b"\r\n\r\n", at) + 4
            data_end = out.find(delimiter, data_start)
            chunk = out[data_start:data_end]
            if data_start >= 4 and data_end >= 0 and chunk.removeprefix(b"\xef\xbb\xbf") == old:
                bom = b"\xef\xbb\xbf" if chunk.startswith(b"\xef\xbb\xbf") else b""
                out = out[:data_start] + bom + new + out[data_end:]
                break
            at = out.find(b'name="' + name + b'"', at + 1)
        else:
            raise RedactionError("a multipart field could not be found to redact")
    return out
