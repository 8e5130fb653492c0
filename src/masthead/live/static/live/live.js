// Live coverage: show updates posted after the page was served, without a reload.
// The page works without this file: it lists every update up to the moment it was cached.
// It asks for the updates after the newest it shows, every data-poll seconds; the answer is
// cached for that long and shared by every reader (a post purges it, so it is seen at once).
(function () {
  "use strict";
  var section = document.querySelector("section.live[data-running]");
  if (!section || !window.fetch) { return; }
  var stream = document.getElementById("live-stream");
  var notice = document.getElementById("live-new");
  var newest = parseInt(section.getAttribute("data-newest"), 10) || 0;
  var every = Math.max(1, parseInt(section.getAttribute("data-poll"), 10) || 5) * 1000;
  var address = section.getAttribute("data-updates");

  function shown(number) {
    return document.getElementById("update-" + number) !== null;
  }

  function add(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;  // built and sanitised by the server, like the page itself
    var fresh = Array.prototype.slice.call(holder.querySelectorAll("article.live-update"));
    // The answer is newest first; put the oldest in first so the newest ends on top.
    fresh.reverse().forEach(function (update) {
      if (!shown(update.getAttribute("data-number"))) { stream.insertBefore(update, stream.firstChild); }
    });
    if (fresh.length && notice) { notice.hidden = false; }
  }

  function poll() {
    fetch(address + "?since=" + newest, {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer) {
          if (answer.html) { add(answer.html); }
          newest = Math.max(newest, answer.newest);
          if (!answer.running) { return; }  // coverage ended: a reload shows the ending
        }
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  }

  window.setTimeout(poll, every);
}());
