// Live coverage: bring an open page up to date without a reload.
// The page works without this file: it shows the coverage as it stood when it was cached.
// It holds a stream (Server-Sent Events, data-stream) that the server writes every change to as
// it is made: new and corrected updates, deleted ones, the key events, the pin and the badge, each
// event naming the version of the coverage it brings the page to (the browser sends the last one
// when it reconnects, and is sent what it missed). Where there is no EventSource, or the server
// refuses the stream (it holds all it can: 503) or does not stream (a "poll" event), the page polls instead: every
// data-poll seconds it asks what changed after the version it shows (data-version). That answer
// is cached for that long and shared by every reader on the same version; any change purges it,
// so the next poll sees the change at once. A stream event and a poll answer are the same JSON.
// A stream refused or cut for good (a server restarting, one holding all it can) is asked for
// again after a minute or two, at a time of each page's own, and the polling stops once it is
// back: after a restart the readers return to streams, not to polling the app every second.
(function () {
  "use strict";
  var section = document.querySelector("section.live[data-running]");
  if (!section || !window.fetch) { return; }
  var stream = document.getElementById("live-stream");
  var notice = document.getElementById("live-new");
  var version = parseInt(section.getAttribute("data-version"), 10) || 0;
  var every = Math.max(1, parseInt(section.getAttribute("data-poll"), 10) || 5) * 1000;
  var address = section.getAttribute("data-updates");
  var streamAddress = section.getAttribute("data-stream");

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

  // Apply an answer; false once the coverage has ended (the badge says so, nothing more will come).
  function received(answer) {
    apply(answer);
    version = Math.max(version, answer.version);
    if (!answer.running) {
      section.removeAttribute("data-running");
      return false;
    }
    return true;
  }

  var polling = false;  // a poll is due or under way; false once a stream has taken over
  var RETRY_MS = 60000;  // and up to as much again: pages refused together do not come back together

  function startPolling() {
    if (!polling) {
      polling = true;
      window.setTimeout(poll, every);
    }
  }

  function poll() {
    if (!polling) { return; }
    fetch(address + "?version=" + version, {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && !received(answer)) { polling = false; return; }
        if (polling) { window.setTimeout(poll, every); }
      })
      .catch(function () { if (polling) { window.setTimeout(poll, every * 2); } });
  }

  function listen() {
    var source = new window.EventSource(streamAddress + "?version=" + version);
    source.onopen = function () { polling = false; };  // the stream is back: no more polls
    source.onmessage = function (message) {
      if (!received(JSON.parse(message.data))) { source.close(); }
    };
    source.addEventListener("poll", function () {  // a server that does not stream says so, for good
      source.close();
      startPolling();
    });
    source.onerror = function () {
      // A dropped stream is reconnected by the browser itself (CONNECTING); a refused one is
      // CLOSED: the page polls from the version it has, and asks for the stream again later.
      if (source.readyState === window.EventSource.CLOSED && section.hasAttribute("data-running")) {
        startPolling();
        window.setTimeout(function () {
          if (section.hasAttribute("data-running")) { listen(); }  // unless the coverage ended meanwhile
        }, RETRY_MS + Math.random() * RETRY_MS);
      }
    };
  }

  if (streamAddress && window.EventSource) {
    listen();
  } else {
    startPolling();
  }
}());
