/* Tabadul — the little JavaScript the pages need. Served by the node; no external code. */
"use strict";

/* Language switcher: submit on change. */
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

/* Report editor: select text in the body, tag it as a person, an organisation, a phone…
   Offsets are counted in code points, as the node counts them. */
(function () {
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var body = document.getElementById("body");
  var field = document.getElementById("tags");
  var list = document.getElementById("tag-list");
  var tags = [];
  try { tags = JSON.parse(field.value || "[]"); } catch (e) { tags = []; }
  var counter = tags.length;

  function codePoints(text) { return Array.from(text).length; }

  function owners() {
    return tags.filter(function (t) { return t.kind === "person" || t.kind === "organization" || t.kind === "existing"; });
  }

  function save() { field.value = JSON.stringify(tags); }

  function draw() {
    list.textContent = "";
    tags.forEach(function (tag, index) {
      var item = document.createElement("li");
      item.className = "tag kind-" + tag.kind;
      var label = document.createElement("span");
      label.className = "kind";
      var button = form.querySelector('.tag-button[data-kind="' + tag.kind + '"]');
      label.textContent = button ? button.textContent : tag.kind;
      var text = document.createElement("bdi");
      text.textContent = tag.text || "—";
      item.append(label, " ", text, " ");
      if (tag.kind === "phone" || tag.kind === "email") {
        var attach = document.createElement("select");
        attach.setAttribute("aria-label", list.dataset.attach);
        owners().forEach(function (owner) {
          var option = document.createElement("option");
          option.value = owner.ref;
          option.textContent = list.dataset.attach + " " + owner.text;
          option.selected = owner.ref === tag.attach;
          attach.append(option);
        });
        if (!tag.attach && owners().length) { tag.attach = owners()[owners().length - 1].ref; }
        attach.addEventListener("change", function () { tag.attach = attach.value; save(); });
        item.append(attach, " ");
      }
      if (tag.kind === "person") {
        var category = document.createElement("select");
        category.setAttribute("aria-label", list.dataset.category);
        ["suspect", "convicted", "victim", "witness", "contact", "other"].forEach(function (c) {
          var option = document.createElement("option");
          option.value = c;
          option.textContent = c;
          option.selected = (tag.category || "other") === c;
          category.append(option);
        });
        category.addEventListener("change", function () { tag.category = category.value; save(); });
        item.append(category, " ");
      }
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = list.dataset.remove;
      remove.addEventListener("click", function () { tags.splice(index, 1); save(); draw(); });
      item.append(remove);
      list.append(item);
    });
    save();
  }

  form.querySelectorAll(".tag-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var from = body.selectionStart, to = body.selectionEnd;
      var text = body.value.slice(from, to);
      if (!text.trim()) { body.focus(); return; }
      var lead = text.length - text.trimStart().length;
      var trail = text.length - text.trimEnd().length;
      from += lead; to -= trail; text = body.value.slice(from, to);
      counter += 1;
      tags.push({
        ref: "t" + counter,
        kind: button.dataset.kind,
        text: text,
        start: codePoints(body.value.slice(0, from)),
        end: codePoints(body.value.slice(0, to)),
        category: button.dataset.kind === "person" ? "other" : undefined
      });
      draw();
    });
  });
  draw();
})();

/* Dashboard: watchlist alerts arrive live (server-sent events from the node). */
(function () {
  var list = document.getElementById("alerts");
  if (!list || !window.EventSource) { return; }
  var source = new EventSource(list.getAttribute("data-stream"));
  source.addEventListener("alert", function (event) {
    var alert = JSON.parse(event.data);
    var item = document.createElement("li");
    item.className = "new-alert";
    if (alert.entity.readable) {
      var link = document.createElement("a");
      link.href = "/entities/" + encodeURIComponent(alert.entity.id);
      link.dir = "auto";
      link.textContent = alert.entity.caption;
      item.append(link);
    } else {
      var hidden = document.createElement("span");
      hidden.className = "muted";
      hidden.textContent = list.getAttribute("data-unreadable") + " (" + alert.entity.classification + ")";
      item.append(hidden);
    }
    var where = document.createElement("bdi");
    where.textContent = alert.watchlist;
    var meta = document.createElement("span");
    meta.className = "muted";
    meta.append(" · ", where);
    item.append(" ", meta);
    list.prepend(item);
    var empty = document.getElementById("no-alerts");
    if (empty) { empty.remove(); }
  });
})();
