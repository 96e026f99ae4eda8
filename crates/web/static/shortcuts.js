// Keyboard shortcuts of the officer's frequent moves (docs/ui.md, « Raccourcis clavier »):
//   /      the search field of the case list (from any page: opens the list on it)
//   j, k   next / previous case: on the list, moves among its rows; on a case page opened from
//          the list, opens the next / previous case of that list
//   n      the case page's note field
//   e      the case page's procedure step form (« Étape »: its list of steps)
//   ?      this help (the dialog #shortcuts-help of base.html); Échap closes it
// A key typed in a field, or with Ctrl, Alt or Cmd, is never taken. Plain JavaScript, no build.
(function () {
  "use strict";
  var LIST_KEY = "recouvre.case-list";

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function caseLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#case-list tbody tr td a[href^='/dossiers/']"));
  }

  // On the list: remember its cases in order, so that a case page knows its neighbours.
  var links = caseLinks();
  if (links.length && window.sessionStorage) {
    try {
      sessionStorage.setItem(LIST_KEY, JSON.stringify(links.map(function (a) { return a.getAttribute("href"); })));
    } catch (error) { /* storage full or refused: the shortcut only loses the case page's neighbours */ }
  }

  function moveInList(step) {
    var all = caseLinks();
    if (!all.length) { return false; }
    var at = all.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, at + step));
    all[next].focus();
    all[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  function moveFromCase(step) {
    var match = /^\/dossiers\/\d+$/.exec(window.location.pathname);
    if (!match || !window.sessionStorage) { return false; }
    var list;
    try { list = JSON.parse(sessionStorage.getItem(LIST_KEY) || "[]"); } catch (error) { return false; }
    var at = list.indexOf(window.location.pathname);
    if (at < 0 || !list[at + step]) { return false; }
    window.location.assign(list[at + step]);
    return true;
  }

  var help = document.getElementById("shortcuts-help");
  var opener = null;
  if (help) {
    var close = help.querySelector("button");
    if (close) { close.addEventListener("click", function () { help.close(); }); }
    help.addEventListener("close", function () { if (opener) { opener.focus(); } });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) { return; }
    if (help && help.open) { return; }
    var done = false;
    switch (event.key) {
      case "/":
        var search = document.getElementById("q");
        if (search) { search.focus(); search.select(); done = true; }
        else { window.location.assign("/dossiers#q"); done = true; }
        break;
      case "j":
        done = moveInList(1) || moveFromCase(1);
        break;
      case "k":
        done = moveInList(-1) || moveFromCase(-1);
        break;
      case "n":
        var note = document.getElementById("note-body");
        if (note) { note.focus(); note.scrollIntoView({ block: "center" }); done = true; }
        break;
      case "e":
        var step = document.querySelector("#step-form select, #step-form input:not([type=hidden])");
        if (step) { step.focus(); step.scrollIntoView({ block: "center" }); done = true; }
        break;
      case "?":
        if (help && help.showModal) { opener = document.activeElement; help.showModal(); done = true; }
        break;
    }
    if (done) { event.preventDefault(); }
  });

  // « / » from another page opens the list on its search field.
  if (window.location.hash === "#q") {
    var field = document.getElementById("q");
    if (field) { field.focus(); }
  }
})();
