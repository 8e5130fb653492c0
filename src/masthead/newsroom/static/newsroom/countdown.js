// Ticks the "in 4 min 10 s" beside scheduled stories, so the desk sees the second a story goes out.
// The words and digits come from the page (newsroom/desk.py countdown_time renders them through the
// translation catalogue), so the countdown speaks the desk's language, Persian digits and all.
(function () {
  "use strict";

  function fill(el, key, values) {
    var digits = el.getAttribute("data-countdown-digits") || "0123456789";
    return el.getAttribute("data-countdown-" + key).replace(/%\((\w+)\)(02)?d/g, function (whole, name, padded) {
      var number = String(values[name]);
      if (padded) number = number.padStart(2, "0");
      return number.replace(/[0-9]/g, function (digit) { return digits.charAt(Number(digit)); });
    });
  }

  function text(el, left) {
    if (left <= 0) return fill(el, "now", {});
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    if (h >= 48) return fill(el, "days", {days: Math.floor(h / 24)});
    if (h) return fill(el, "hours", {h: h, m: m});
    if (m) return fill(el, "minutes", {m: m, s: s});
    return fill(el, "seconds", {s: s});
  }

  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      el.textContent = text(el, Math.round((Date.parse(el.getAttribute("datetime")) - Date.now()) / 1000));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
