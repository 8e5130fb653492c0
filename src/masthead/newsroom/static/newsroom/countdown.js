// Ticks the "in 4 min 10 s" beside scheduled stories, so the desk sees the second a story goes out.
(function () {
  function text(left) {
    if (left <= 0) return "now";
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    if (h >= 48) return "in " + Math.floor(h / 24) + " days";
    if (h) return "in " + h + " h " + String(m).padStart(2, "0") + " min";
    if (m) return "in " + m + " min " + String(s).padStart(2, "0") + " s";
    return "in " + s + " s";
  }
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      el.textContent = text(Math.round((Date.parse(el.getAttribute("datetime")) - Date.now()) / 1000));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
