/* AG Grid (1.3 MB of script, 0.9 MB more when a grid draws) loads when a grid first comes near
   the screen instead of with the page: ops/delivery.py takes its <script> out of the page and
   names it in a <meta> tag. Until then Dash renders this stand-in under AG Grid's name (an
   empty box of the grid's id and size); once loaded, the stand-in renders the real grid with
   the same properties, so Dash's updates reach it as before. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="hub-lazy-script"][data-namespace="dash_ag_grid"]');
  if (!meta || window.dash_ag_grid || !window.React) { return; }
  var React = window.React;
  var real = null;
  var loading = null;

  function load() {
    loading = loading || new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = meta.content;
      script.onload = function () {
        real = window.dash_ag_grid;
        window.dash_ag_grid = Object.assign({}, real, { AgGrid: LazyGrid });
        resolve();
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function LazyGrid(props) {
    var box = React.useRef(null);
    var state = React.useState(real !== null);
    var ready = state[0];
    var setReady = state[1];
    React.useEffect(function () {
      if (ready) { return undefined; }
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          load().then(function () { setReady(true); });
        }
      }, { rootMargin: "400px 0px" });  /* a little ahead: the grid is there when it is reached */
      /* Watched once the page is idle: while the charts are still being drawn the page is
         short, and the grid would seem near the screen when it is not. */
      var idle = window.requestIdleCallback(function () { observer.observe(box.current); }, { timeout: 2000 });
      return function () { window.cancelIdleCallback(idle); observer.disconnect(); };
    }, [ready]);
    if (ready) { return React.createElement(real.AgGrid, props); }
    return React.createElement("div", {
      id: props.id, ref: box, className: props.className,
      style: Object.assign({ height: "400px" }, props.style),
    });
  }

  window.dash_ag_grid = { AgGrid: LazyGrid };
})();
