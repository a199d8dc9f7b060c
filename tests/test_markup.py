"""Static markup (layouts/markup.py): parts no callback reaches are sent as one component."""

import dash_bootstrap_components as dbc
import pytest
from dash import html

from layouts import ids
from layouts.markup import Markup, markup, tree
from tests.test_dashboard_callback import hub, run  # noqa: F401 (fixture)


def components_in(node) -> int:
    children = node if isinstance(node, list | tuple) else getattr(node, "children", None)
    own = 0 if isinstance(node, list | tuple | str | int | float) or node is None else 1
    if children is None or isinstance(children, str | int | float):
        return own
    return own + sum(components_in(child) for child in (children if isinstance(children, list | tuple) else [children]))


def test_elements_become_a_tree_with_their_text_and_classes():
    drawn = markup([html.Div([html.Span("▲", **{"aria-hidden": "true"}), " ", html.Bdi("+1.2")], className="small"),
                    None, dbc.Badge("off track", color="warning", text_color="dark", className="me-1")])
    assert isinstance(drawn, Markup)
    assert drawn.tree == ["", {}, [
        ["div", {"className": "small"}, [["span", {"aria-hidden": "true"}, ["▲"]], " ", ["bdi", {}, ["+1.2"]]]],
        ["span", {"className": "me-1 badge text-dark bg-warning"}, ["off track"]],
    ]]


@pytest.mark.parametrize("element", [html.Div("x", id="a"), html.Button("x", n_clicks=0),
                                     html.Div([html.Span("y", id={"type": "t", "index": 1})])])
def test_an_element_a_callback_could_reach_is_refused(element):
    with pytest.raises(TypeError):
        tree(element)


def test_a_card_is_a_handful_of_components_whatever_it_shows(hub):  # noqa: F811
    out = run(ids.FILTER_REGIONS, regions=["SA-04"], period="2024Q2", pillar="economic", indicator="gdp_growth")
    per_card = [components_in(card) for card in out["cards"]]
    assert per_card and max(per_card) <= 8, per_card  # about 25 when every element was a component
