// The answering page: show and hide conditional questions as answers change, save the
// draft after each change, and point at unanswered required questions before submitting.
// isShown mirrors ganzhi.surveys.questionnaires.is_shown (the server decides the same).
(function () {
  "use strict";
  var form = document.getElementById("survey");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.q"));
  var status = document.getElementById("save-status");

  // --- conditions (same rules as questionnaires.is_shown) ---
  function blank(a) {
    return a === undefined || a === null || a === "" || (Array.isArray(a) && a.length === 0) ||
      (typeof a === "number" && isNaN(a));
  }
  function num(v) {
    if (typeof v === "boolean" || v === null || v === undefined || v === "") { return null; }
    var n = Number(v);
    return isNaN(n) ? null : n;
  }
  function equal(a, b) {
    var x = num(a), y = num(b);
    if (x !== null && y !== null) { return x === y; }
    return String(a) === String(b);
  }
  function holds(c, answers) {
    if (c.any) { return c.any.some(function (d) { return holds(d, answers); }); }
    if (c.all) { return c.all.every(function (d) { return holds(d, answers); }); }
    if (c.not) { return !holds(c.not, answers); }
    var a = answers[c.question], op = c.op, v = c.value;
    if (blank(a)) { return op === "ne" || op === "not_in"; }
    if (op === "answered") { return true; }
    if (Array.isArray(a)) {
      var chosen = a.map(String);
      if (op === "eq") { return chosen.indexOf(String(v)) >= 0; }
      if (op === "ne") { return chosen.indexOf(String(v)) < 0; }
      if (op === "in" || op === "not_in") {
        var hit = (v || []).some(function (x) { return chosen.indexOf(String(x)) >= 0; });
        return op === "in" ? hit : !hit;
      }
      return false;
    }
    if (op === "in" || op === "not_in") {
      var found = (v || []).some(function (x) { return equal(a, x); });
      return op === "in" ? found : !found;
    }
    if (op === "eq") { return equal(a, v); }
    if (op === "ne") { return !equal(a, v); }
    var x = num(a), y = num(v);
    if (x === null || y === null) { return false; }
    return { lt: x < y, lte: x <= y, gt: x > y, gte: x >= y }[op] || false;
  }
  function isShown(showIf, answers) {
    if (!showIf) { return true; }
    try { return holds(JSON.parse(showIf), answers); } catch (e) { return true; }
  }

  // --- reading answers from the page ---
  function checked(fs, name) {
    var box = fs.querySelector('input[name="' + name + '"]:checked');
    return box ? box.value : null;
  }
  function valueOf(fs) {
    var code = fs.getAttribute("data-code"), type = fs.getAttribute("data-type");
    if (type === "multiple") {
      return Array.prototype.map.call(
        fs.querySelectorAll('input[name="' + code + '"]:checked'), function (b) { return b.value; });
    }
    if (type === "ep") { return checked(fs, code + "__p"); }  // conditions see the perception
    if (type === "text") { var t = fs.querySelector("textarea"); return t ? t.value.trim() : ""; }
    return checked(fs, code);
  }
  function complete(fs) {
    var code = fs.getAttribute("data-code"), type = fs.getAttribute("data-type");
    if (type === "ep") { return checked(fs, code + "__e") !== null && checked(fs, code + "__p") !== null; }
    return !blank(valueOf(fs));
  }

  // --- show / hide, in order: a hidden question does not count for later ones ---
  function refresh() {
    var seen = {};
    questions.forEach(function (fs) {
      var shown = isShown(fs.getAttribute("data-show-if"), seen);
      fs.hidden = !shown;
      if (shown) {
        var v = valueOf(fs);
        if (!blank(v)) { seen[fs.getAttribute("data-code")] = v; }
      }
    });
  }

  function lightStars(fs) {
    if (!fs.querySelector(".stars5")) { return; }
    var value = Number(checked(fs, fs.getAttribute("data-code")) || 0);
    fs.querySelectorAll(".pick").forEach(function (label) {
      var input = label.querySelector("input");
      label.classList.toggle("lit", Number(input.value) <= value);
    });
  }

  function clearError(fs) {
    var err = fs.querySelector(".field-error");
    if (err && complete(fs)) { err.hidden = true; fs.classList.remove("has-error"); }
  }

  // --- saving the draft ---
  var timer = null, pending = false, busy = false;
  function say(text) { if (status) { status.textContent = text || ""; } }
  function save() {
    if (busy) { pending = true; return; }
    busy = true;
    say(form.getAttribute("data-saving"));
    var data = new FormData(form);
    data.delete("anonymous");
    fetch(form.getAttribute("data-save-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken"), "X-Requested-With": "fetch" }
    }).then(function (r) {
      say(form.getAttribute(r.ok ? "data-saved" : "data-save-failed"));
    }).catch(function () {
      say(form.getAttribute("data-save-failed"));
    }).then(function () {
      busy = false;
      if (pending) { pending = false; save(); }
    });
  }
  function saveSoon(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, delay);
  }

  form.addEventListener("change", function (event) {
    var fs = event.target.closest("fieldset.q");
    if (fs) { lightStars(fs); clearError(fs); }
    refresh();
    if (event.target.name !== "anonymous") { saveSoon(event.target.tagName === "TEXTAREA" ? 0 : 150); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") { refresh(); saveSoon(1500); }
  });

  // --- before submitting: required questions that are shown ---
  form.addEventListener("submit", function (event) {
    refresh();
    var first = null;
    questions.forEach(function (fs) {
      if (fs.hidden || !fs.getAttribute("data-required") || complete(fs)) { return; }
      var err = fs.querySelector(".field-error");
      if (err) { err.textContent = form.getAttribute("data-required"); err.hidden = false; }
      fs.classList.add("has-error");
      first = first || fs;
    });
    if (first) {
      event.preventDefault();
      first.scrollIntoView({ block: "center" });
      var input = first.querySelector("input, textarea");
      if (input) { input.focus({ preventScroll: true }); }
      return;
    }
    clearTimeout(timer);
  });

  refresh();
})();
