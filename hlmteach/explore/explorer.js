// The static explorer's script (inlined by hlmteach/explore/page.py into the explorer's <div>).
//
// A click on the form sets the parameters named as the controls in every chart
// of the explorer (their Vega views, kept on each chart's element by the book's
// renderer as el.__view__). The first chart's "setting" signal, a Vega
// expression of those parameters, names the setting drawn; a listener on it
// swaps in that setting's model: the HTML of its tables, header, captions and
// announced numbers (from the <template> of the model), which controls apply
// (the others are disabled and say why) and which panels apply (the others are
// replaced by a sentence saying why).
(function () {
  "use strict";
  var root = document.currentScript.parentElement;
  var config = JSON.parse(root.querySelector("script.hlmteach-explorer-settings").textContent);
  var form = root.querySelector("form.hlmteach-controls");

  function values() {
    var out = {};
    config.names.forEach(function (name) {
      var inputs = form.querySelectorAll('[name="' + name + '"]');
      var first = inputs[0];
      if (first.type === "checkbox") {
        out[name] = first.checked;
      } else if (first.type === "radio") {
        inputs.forEach(function (input) { if (input.checked) { out[name] = input.value; } });
      } else {
        out[name] = first.value;
      }
    });
    return out;
  }

  function keyOf(v) {
    return config.names.map(function (name) { return String(v[name]); }).join("|");
  }

  function charts() {
    return Array.prototype.slice.call(root.querySelectorAll(".hlmteach-chart"));
  }

  function views() {
    return charts().map(function (el) { return el.__view__; }).filter(Boolean);
  }

  function show(key) {
    var setting = config.settings[key];
    if (!setting) { return; }
    var template = root.querySelector('template[data-model="' + setting.model + '"]');
    template.content.querySelectorAll("[data-slot]").forEach(function (part) {
      root.querySelectorAll('[data-slot-target="' + part.getAttribute("data-slot") + '"]').forEach(function (target) {
        target.innerHTML = part.innerHTML;
        target.hidden = !part.innerHTML;
      });
    });
    root.querySelectorAll("[data-control]").forEach(function (box) {
      var why = setting.off[box.getAttribute("data-control")] || "";
      box.classList.toggle("is-off", !!why);
      box.querySelectorAll("input, select").forEach(function (input) { input.disabled = !!why; });
      box.querySelector(".hlmteach-why").textContent = why ? "(" + why + ")" : "";
    });
    root.querySelectorAll("[data-needs]").forEach(function (panel) {
      panel.classList.toggle("is-lacking", setting.lacks.indexOf(panel.getAttribute("data-needs")) >= 0);
    });
    root.setAttribute("data-setting", key);
  }

  function push() {
    var v = values();
    var all = views();
    if (!all.length) { show(keyOf(v)); return Promise.resolve(); }
    return Promise.all(all.map(function (view) {
      config.names.forEach(function (name) { view.signal(name, v[name]); });
      return view.runAsync();
    }));
  }

  function ready() {
    return new Promise(function (resolve) {
      var waited = 0;
      (function check() {
        var done = charts().every(function (el) {
          return el.hasAttribute("data-chart-ready") || el.hasAttribute("data-chart-error");
        });
        if (done || waited > 30000) { resolve(views()); return; }
        waited += 50;
        setTimeout(check, 50);
      })();
    });
  }

  form.addEventListener("change", function () { push(); });
  ready().then(function (all) {
    if (all.length) {
      all[0].addSignalListener("setting", function (name, key) { show(key); });
    }
    return push().then(function () { show(all.length ? all[0].signal("setting") : keyOf(values())); });
  }).then(function () { root.setAttribute("data-explorer-ready", "true"); });
})();
