// The story form's writing aids: character counts with their limits, the body's live preview
// (rendered by the server with the site's own Markdown and sanitising code), and pictures pasted
// or dropped into the body, uploaded to the media library. A static file: the newsroom's policy
// allows no inline script.
(function () {
  "use strict";

  function csrf(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // "37 / 110" beside a field; past the limit it says by how much and why the limit matters.
  function counter(field) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    var out = document.createElement("p");
    out.className = "char-count";
    out.id = field.id + "_count";
    out.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", out);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
    function update() {
      var used = Array.from(field.value).length;
      var over = used - limit;
      out.textContent = used + " / " + limit + (over > 0 ? " · " + over + " over. " + field.getAttribute("data-limit-why") : "");
      out.classList.toggle("char-count-over", over > 0);
    }
    field.addEventListener("input", update);
    update();
  }

  // The preview is drawn in a shadow root under the site's own stylesheet, as the article page
  // draws the body: the newsroom's CSS (which strips list bullets, shrinks headings and quotes)
  // cannot reach into it, and the site's cannot leak out onto the newsroom.
  function page(host) {
    var root = host.attachShadow({mode: "open"});
    host.getAttribute("data-stylesheets").split(" ").forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      root.appendChild(link);
    });
    var story = document.createElement("div");
    story.className = "story";
    var text = document.createElement("div");
    text.className = "story-body article-body";
    text.dir = "auto";
    story.appendChild(text);
    root.appendChild(story);
    return text;
  }

  function editor(body) {
    var form = body.form;
    var host = document.getElementById(body.id + "_preview");
    var shown = page(host);
    var status = document.getElementById(body.id + "_status");
    var timer = null, asked = 0;

    function render() {
      var mine = ++asked;
      var data = new FormData();
      data.append("body", body.value);
      fetch(body.getAttribute("data-preview-url"), {
        method: "POST", body: data, credentials: "same-origin", headers: {"X-CSRFToken": csrf(form)}
      }).then(function (response) {
        return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
      }).then(function (result) {
        if (mine !== asked) return;  // a newer keystroke's preview is on its way
        if (!result.ok) { status.textContent = result.answer.error; return; }
        // The server sanitised this HTML with the policy every published body goes through.
        shown.innerHTML = result.answer.html || "<p>" + host.getAttribute("data-empty") + "</p>";
        host.setAttribute("data-rendered", String(mine));
      }).catch(function () {
        if (mine === asked) status.textContent = "The preview could not be reached; your text is safe in the form.";
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(render, 250);
    }

    function insert(text) {
      var start = body.selectionStart, end = body.selectionEnd;
      var before = body.value.slice(0, start), after = body.value.slice(end);
      var gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
      body.value = before + gap + text + "\n\n" + after;
      body.selectionStart = body.selectionEnd = (before + gap + text + "\n\n").length;
      body.dispatchEvent(new Event("input"));
    }

    function upload(file) {
      var guess = file.name && file.name !== "image.png" ? file.name.replace(/\.[a-z0-9]+$/i, "").replace(/[-_]+/g, " ") : "";
      var alt = window.prompt("Describe the picture for readers who cannot see it (alt text):", guess);
      if (alt === null || !alt.trim()) { status.textContent = "Picture not added: it needs a description."; return; }
      var data = new FormData();
      data.append("upload", file, file.name || "pasted.png");
      data.append("alt", alt.trim());
      status.textContent = "Uploading " + (file.name || "the picture") + "…";
      fetch(body.getAttribute("data-picture-url"), {
        method: "POST", body: data, credentials: "same-origin", headers: {"X-CSRFToken": csrf(form)}
      }).then(function (response) {
        return response.json().then(function (answer) { return {ok: response.ok, answer: answer}; });
      }).then(function (result) {
        if (!result.ok) { status.textContent = result.answer.error; return; }
        insert(result.answer.markdown);
        status.textContent = "Picture " + result.answer.id + " is in the media library and in the body.";
      }).catch(function () { status.textContent = "The upload could not be sent; try again."; });
    }

    function pictures(list) {
      return Array.from(list || []).filter(function (file) { return /^image\//.test(file.type); });
    }

    body.addEventListener("input", later);
    body.addEventListener("paste", function (event) {
      var files = pictures(event.clipboardData && event.clipboardData.files);
      if (!files.length) return;
      event.preventDefault();
      files.forEach(upload);
    });
    body.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.from(event.dataTransfer.types).indexOf("Files") >= 0) event.preventDefault();
    });
    body.addEventListener("drop", function (event) {
      var files = pictures(event.dataTransfer && event.dataTransfer.files);
      if (!files.length) return;
      event.preventDefault();
      files.forEach(upload);
    });
    render();
  }

  // Django's autocomplete (Select2) draws its own search boxes with no label, whenever it likes
  // (at start-up and after each choice); name each after its field's label, so a screen reader
  // says what the box is for.
  function nameSearchBoxes() {
    document.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
      var box = field.closest(".select2");
      var select = box && box.previousElementSibling;
      var label = select && select.id && document.querySelector("label[for='" + select.id + "']");
      if (label) field.setAttribute("aria-label", label.textContent.replace(/:\s*$/, ""));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(nameSearchBoxes).observe(document.body, {childList: true, subtree: true});
    nameSearchBoxes();
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-limit]").forEach(counter);
    document.querySelectorAll("textarea[data-preview-url]").forEach(editor);
  });
})();
