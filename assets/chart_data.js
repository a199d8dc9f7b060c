/* A dashboard chart's data as a table, drawn in the browser from the chart's own figure (its
   layout.meta holds the columns and rows that layouts/figures.py attached) when the user opens
   "Chart data", and again while it is open and the chart changes. The server used to send the
   table with every filter change; mounting those hundreds of components was most of the page's
   work per change. The table is the one layouts/components.data_table builds. */
(function () {
  "use strict";

  function el(type, props, children) {
    return { type: type, namespace: "dash_html_components",
             props: Object.assign({}, props, children === undefined ? {} : { children: children }) };
  }

  /* clicks: on the <summary>, which toggles its <details> (closed again whenever the server
     rebuilds the chart's text, and its count starts again at 0). */
  function table(clicks, figure) {
    var open = clicks % 2 === 1;
    var meta = (open && figure && figure.layout && figure.layout.meta) || {};
    if (!meta.rows || !meta.columns) { return null; }
    var head = el("Thead", {}, el("Tr", {}, meta.columns.map(function (c) { return el("Th", { scope: "col" }, c); })));
    var body = el("Tbody", {}, meta.rows.map(function (row) {
      return el("Tr", {}, row.map(function (cell) { return el("Td", {}, cell); }));
    }));
    return el("Div", { className: "table-scroll", tabIndex: "0", role: "region", "aria-label": meta.title || "" },
              el("Table", { className: "table table-sm small mb-0" }, [head, body]));
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, { hub_chart_data: { table: table } });
})();
