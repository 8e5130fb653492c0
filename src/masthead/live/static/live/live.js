// Live coverage: bring an open page up to date without a reload.
// The page works without this file: it shows the coverage as it stood when it was cached.
// Every data-poll seconds it asks what changed after the version of the coverage it shows
// (data-version): new and corrected updates, deleted ones, the key events, the pin and the badge.
// The answer is cached for that long and shared by every reader on the same version; any change
// purges it, so the next poll sees the change at once.
(function () {
  "use strict";
  var section = document.querySelector("section.live[data-running]");
  if (!section || !window.fetch) { return; }
  var stream = document.getElementById("live-stream");
  var notice = document.getElementById("live-new");
  var version = parseInt(section.getAttribute("data-version"), 10) || 0;
  var every = Math.max(1, parseInt(section.getAttribute("data-poll"), 10) || 5) * 1000;
  var address = section.getAttribute("data-updates");

  function parsed(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;  // built and sanitised by the server, like the page itself
    return holder;
  }

  function number(element) {
    return parseInt(element.getAttribute("data-number"), 10);
  }

  function place(update) {
    var old = document.getElementById(update.id);
    if (old) { old.parentNode.replaceChild(update, old); return false; }
    // Newest first: before the first update the page shows that is older than this one.
    var shown = stream.querySelectorAll("article.live-update");
    for (var i = 0; i < shown.length; i += 1) {
      if (number(shown[i]) < number(update)) { stream.insertBefore(update, shown[i]); return true; }
    }
    stream.appendChild(update);
    return true;
  }

  function replaceInner(id, html) {
    var slot = document.getElementById(id);
    if (slot && typeof html === "string") { slot.innerHTML = html; }
  }

  function apply(answer) {
    var added = false;
    if (answer.html) {
      Array.prototype.slice.call(parsed(answer.html).querySelectorAll("article.live-update"))
        .forEach(function (update) { added = place(update) || added; });
    }
    (answer.deleted || []).forEach(function (n) {
      var gone = document.getElementById("update-" + n);
      if (gone) { gone.parentNode.removeChild(gone); }
    });
    replaceInner("live-summary", answer.key_events);
    replaceInner("live-pin", answer.pinned);
    if (answer.status) {
      var status = document.getElementById("live-status");
      var fresh = parsed(answer.status).firstElementChild;
      if (status && fresh) { status.parentNode.replaceChild(fresh, status); }
    }
    var empty = document.getElementById("live-empty");
    if (empty) { empty.hidden = stream.querySelector("article.live-update") !== null; }
    if (added && notice) { notice.hidden = false; }
  }

  function poll() {
    fetch(address + "?version=" + version, {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer) {
          apply(answer);
          version = Math.max(version, answer.version);
          if (!answer.running) {  // the coverage has ended: the badge says so, nothing more will come
            section.removeAttribute("data-running");
            return;
          }
        }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  }

  window.setTimeout(poll, every);
}());
