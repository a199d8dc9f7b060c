"""Static markup as one component: a part of a page that no callback reads or writes is sent
as a tree of plain elements and drawn by one small React component (assets/markup.js).

Dash's renderer slows with every component it mounts: a KPI card was about 25 components,
redrawn by every filter change, and is now 7; a region profile's 24-row table was about 450
and is now one (see docs/PERFORMANCE.md, "Fourth round")."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

# Properties a static element may carry; anything else (ids, n_clicks...) belongs to a Dash
# component that callbacks can reach, and is refused.
ALLOWED = {"className", "style", "title", "alt", "src", "width", "height", "role", "lang", "dir", "scope", "colSpan",
           "rowSpan"}


class Markup(Component):
    """Draws `tree`: a string, or [tag, properties, [children...]] (tag "" for a fragment); its
    `id` on the root element."""

    _namespace = "hub"
    _type = "Markup"
    _children_props: list[str] = []
    _base_nodes: list[str] = []
    _prop_names = ["id", "tree"]
    _valid_wildcard_attributes: list[str] = []
    available_properties = ["id", "tree"]
    available_wildcard_properties: list[str] = []

    def __init__(self, tree, **props):
        super().__init__(tree=tree, **props)


def markup(content, id: str | None = None) -> Markup:
    """`content` (html.* elements, dbc.Badge and strings; a list or one element) as one static
    component. `id` goes on the root element, where tests and styles can find it."""
    root = ["", {}, tree(content)] if isinstance(content, list) else tree(content)
    return Markup(root, **({"id": id} if id else {}))


def static_table(parts: list, id: str | None = None, hover: bool = False, className: str = "small mb-0") -> Markup:
    """A small bootstrap table (head, body, foot) as static markup."""
    classes = f"{className} table table-sm" + (" table-hover" if hover else "")
    return markup(html.Table(parts, className=classes), id=id)


def tree(node):
    if node is None or isinstance(node, str | int | float):
        return node
    if isinstance(node, list | tuple):
        return [tree(child) for child in node if child is not None]
    if isinstance(node, dbc.Badge):
        return _badge(node)
    if node._namespace != "dash_html_components":
        raise TypeError(f"{node._type} is not static markup")
    props = {name: value for name, value in node.to_plotly_json()["props"].items() if name != "children"}
    unknown = {name for name in props if name not in ALLOWED and not name.startswith("aria-")}
    if unknown:
        raise TypeError(f"{node._type} carries {sorted(unknown)}: not static markup")
    return [node._type.lower(), props, _children(node)]


def _badge(badge: dbc.Badge) -> list:
    """A dbc.Badge as the span it draws (bootstrap's classes, as dash-bootstrap-components
    sets them)."""
    classes = [getattr(badge, "className", None), "badge",
               f"text-{badge.text_color}" if getattr(badge, "text_color", None) else None,
               f"bg-{getattr(badge, 'color', 'secondary')}"]
    return ["span", {"className": " ".join(c for c in classes if c)}, _children(badge)]


def _children(component) -> list:
    children = getattr(component, "children", None)
    return tree(children if isinstance(children, list | tuple) else [children])
