"""The shape of a Dash callback request, checked before Dash reads it.

The browser's Dash renderer sends `{"output", "outputs", "inputs", "state", "changedPropIds"}`
for a callback the app registered, with the inputs and state in the order they were
registered. Anything else is the client's fault: it gets a 400 with a short reason, never
reaches Dash or a callback, and costs one log line, not a traceback. The body is parsed here
once; Dash reads the same parsed body from Flask's cache.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from flask import request
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 12  # of any value: Dash's ids, clickData and dropdown values need 6
MAX_ITEMS = 200  # in any list or object: the largest list a page offers has 24 indicators
MAX_TEXT = 4096  # characters of any string: a view's query string is under 300
WILDCARDS = ({"ALL"}, {"MATCH"}, {"ALLSMALLER"})
SCALAR = (str, int, float, bool, type(None))
# What the app's inputs and states carry, by property; None (not set) is always allowed.
PROPERTY_TYPES: dict[str, tuple[type, ...]] = {
    "pathname": (str,), "search": (str,), "hash": (str,), "href": (str,),
    "n_clicks": (int,), "n_intervals": (int,),
    "value": (str, int, float, list),
    "clickData": (dict,), "hoverData": (dict,), "selectedData": (dict,),
    "data": (str, int, float, bool, list, dict),
}


class MalformedCallback(BadRequest):
    """A callback request that is not what the app's pages send."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parsed_body() -> dict:
    """The request's JSON object, parsed once (Flask keeps it for Dash), or MalformedCallback."""
    if request.mimetype != "application/json":
        raise MalformedCallback("the body must be JSON (Content-Type: application/json)")
    try:
        body = request.get_json()
    except BadRequest:
        raise MalformedCallback("the body is not valid JSON") from None
    except RecursionError:
        raise MalformedCallback(f"the body is nested deeper than {MAX_DEPTH} levels") from None
    if not isinstance(body, dict):
        raise MalformedCallback("the body must be a JSON object")
    return body


def check_callback(body: dict, callback_map: Mapping[str, dict]) -> str:
    """The key of the registered callback `body` asks for, once its shape matches that
    callback's outputs, inputs and state; MalformedCallback saying what does not."""
    key = body.get("output")
    if not isinstance(key, str) or "callback" not in callback_map.get(key, {}):
        raise MalformedCallback("'output' names no callback of this app")
    spec = callback_map[key]
    _check_outputs(body.get("outputs"), key)
    for field in ("inputs", "state"):
        _check_entries(body.get(field, []), spec[field], field)
    _check_changed(body.get("changedPropIds", []), body.get("inputs", []))
    return key


def _check_outputs(outputs, key: str) -> None:
    expected = [_split_prop(text) for text in (key.strip(".").split("...") if key.startswith("..") else [key])]
    sent = outputs if key.startswith("..") else [outputs]
    if not isinstance(sent, list) or len(sent) != len(expected) or not all(
            _output_fits(item, want) for item, want in zip(sent, expected, strict=False)):
        raise MalformedCallback("'outputs' do not match the callback's outputs")


def _output_fits(item, want: tuple) -> bool:
    """One sent output against its spec; a pattern-matching output is a list of concrete ids."""
    component_id, prop = want
    if not _is_pattern(component_id):
        return isinstance(item, dict) and (item.get("id"), item.get("property")) == want
    return isinstance(item, list) and len(item) <= MAX_ITEMS and all(
        isinstance(entry, dict) and entry.get("property") == prop and _matches(entry.get("id"), component_id)
        for entry in item)


def _check_entries(entries, specs: list[dict], field: str) -> None:
    if not isinstance(entries, list) or len(entries) != len(specs):
        raise MalformedCallback(f"'{field}' must list the callback's {len(specs)} {field}")
    for entry, spec in zip(entries, specs, strict=True):
        component_id, prop = _spec_id(spec["id"]), spec["property"]
        if _is_pattern(component_id):
            if not isinstance(entry, list) or len(entry) > MAX_ITEMS:
                raise MalformedCallback(f"'{field}' for {spec['id']}.{prop} must be a list of at most {MAX_ITEMS}")
            for item in entry:
                _check_entry(item, prop, lambda sent, pattern=component_id: _matches(sent, pattern), field)
        else:
            _check_entry(entry, prop, lambda sent, wanted=component_id: sent == wanted, field)


def _check_entry(entry, prop: str, id_fits, field: str) -> None:
    if not isinstance(entry, dict) or entry.get("property") != prop or not id_fits(entry.get("id")):
        raise MalformedCallback(f"'{field}' do not match the callback's {field}")
    value = entry.get("value")
    name = f"{_id_text(entry['id'])}.{prop}"
    if value is not None and not _is_instance(value, PROPERTY_TYPES.get(prop, SCALAR + (list, dict))):
        raise MalformedCallback(f"{name} has a value of the wrong type")
    problem = _bounds_problem(value)
    if problem:
        raise MalformedCallback(f"{name}: {problem}")


def _check_changed(changed, inputs: list) -> None:
    if not isinstance(changed, list) or len(changed) > MAX_ITEMS:
        raise MalformedCallback("'changedPropIds' must be a short list")
    sent = {f"{_id_text(item['id'])}.{item['property']}" for entry in inputs
            for item in (entry if isinstance(entry, list) else [entry])}
    if any(not isinstance(prop_id, str) or prop_id not in sent for prop_id in changed):
        raise MalformedCallback("'changedPropIds' names a property that is not among the inputs")


def _bounds_problem(value, depth: int = 0) -> str | None:
    """What makes a value too big: nesting, list or object size, string length."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        return f"longer than {MAX_TEXT} characters" if len(value) > MAX_TEXT else None
    if isinstance(value, float) and not math.isfinite(value):
        return "not a finite number"
    if isinstance(value, (list, dict)):
        if len(value) > MAX_ITEMS:
            return f"more than {MAX_ITEMS} items"
        items = list(value.keys()) + list(value.values()) if isinstance(value, dict) else value
        return next(filter(None, (_bounds_problem(item, depth + 1) for item in items)), None)
    return None


def _is_instance(value, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool) and bool not in kinds:
        return False  # JSON true is not a click count
    return isinstance(value, kinds)


def _split_prop(text: str) -> tuple:
    component, prop = text.rsplit(".", 1)
    return _spec_id(component), prop


def _spec_id(component_id):
    return json.loads(component_id) if isinstance(component_id, str) and component_id.startswith("{") \
        else component_id


def _is_pattern(component_id) -> bool:
    return isinstance(component_id, dict) and any(
        isinstance(v, list) and set(v) in WILDCARDS for v in component_id.values())


def _matches(sent, pattern: dict) -> bool:
    """A concrete id of a pattern-matching input: the same keys, the fixed ones equal."""
    if not isinstance(sent, dict) or set(sent) != set(pattern):
        return False
    return all(isinstance(sent[k], (str, int, float)) and not isinstance(sent[k], bool) and len(str(sent[k])) <= 64
               if isinstance(v, list) else sent[k] == v for k, v in pattern.items())


def _id_text(component_id) -> str:
    """An id as Dash writes it in `changedPropIds`: a string, or JSON with sorted keys."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":")) if isinstance(component_id, dict) \
        else str(component_id)
