// Tells the site a reader has this story in front of them: one POST to the address the script tag
// names (data-hit), sent once the page is shown, so a page prerendered or kept in the background
// is counted only when it is read. The page works the same without it.
(function () {
  "use strict";
  var script = document.currentScript;
  var address = script && script.getAttribute("data-hit");
  if (!address) { return; }
  var sent = false;
  function send() {
    if (sent || document.visibilityState !== "visible" || document.prerendering) { return; }
    sent = true;
    if (navigator.sendBeacon && navigator.sendBeacon(address)) { return; }
    if (window.fetch) { fetch(address, {method: "POST", keepalive: true, credentials: "omit"}); }
  }
  document.addEventListener("visibilitychange", send);
  document.addEventListener("prerenderingchange", send);
  send();
})();
