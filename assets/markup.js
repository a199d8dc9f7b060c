/* Draws layouts/markup.py's static trees: [tag, properties, [children...]] or a string.
   One React component for a whole card instead of one Dash component per element. */
(function () {
  "use strict";
  if (!window.React) { return; }
  var React = window.React;

  function draw(node) {
    if (node === null || typeof node !== "object") { return node; }
    var tag = node[0] === "" ? React.Fragment : node[0];
    return React.createElement.apply(null, [tag, node[1]].concat(node[2].map(draw)));
  }

  function Markup(props) {
    var root = props.tree;
    if (props.id && root && typeof root === "object" && root[0] !== "") {
      root = [root[0], Object.assign({ id: props.id }, root[1]), root[2]];
    }
    return draw(root);
  }

  window.hub = { Markup: Markup };
})();
