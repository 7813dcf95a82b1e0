/* The standalone Jupyter widgets manager (@jupyter-widgets/html-manager 1.x)
   typesets widget labels with MathJax 2's API, MathJax.Hub.Queue(["Typeset",
   MathJax.Hub, element]), whenever window.MathJax exists. The book loads
   MathJax 3, which has no Hub, so every widget page threw "Cannot read
   properties of undefined (reading 'Queue')". This maps that one call onto
   MathJax 3's typesetPromise. Loaded only on pages with widgets (nb_ipywidgets_js);
   the widgets render on window "load", after this runs on DOMContentLoaded. */
(function () {
  "use strict";
  function install() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || typeof mj.typesetPromise !== "function") {
      return;
    }
    mj.Hub = {
      Queue: function (job) {
        var el = Array.isArray(job) ? job[2] : undefined;
        var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
        ready
          .then(function () {
            return mj.typesetPromise(el ? [el] : undefined);
          })
          .catch(function (err) {
            console.warn("MathJax could not typeset a widget label:", err);
          });
      },
    };
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", install);
  } else {
    install();
  }
})();
