/* Case page helpers. Everything works without this file; it only saves round trips:
   code search as you type, adding trial rows, the live trial response, the contraindication
   flag, and focusing the error summary. Plain JavaScript, no libraries, no inline handlers
   (the Content-Security-Policy allows only files from this site). */
(function () {
  "use strict";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJSON(url, done) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) { done(body); } })
      .catch(function () { /* the no-JS path (Find codes, Save) still works */ });
  }

  /* Diagnosis picker: matches from the ICD-10-CM index, each billable code an "Add" button
     that submits the form exactly as the server-rendered list does. */
  function codeSearch(box) {
    var input = box.querySelector("input[type=text]");
    var results = box.querySelector(".code-results");
    var addName = box.getAttribute("data-add-name");
    var url = box.getAttribute("data-search-url");
    if (!input || !results) { return; }
    var run = debounce(function () {
      var q = input.value.trim();
      if (q.length < 2) { results.textContent = ""; return; }
      getJSON(url + "?q=" + encodeURIComponent(q), function (body) {
        results.textContent = "";
        if (!body.results.length) {
          var none = document.createElement("p");
          none.textContent = "No codes match. Try fewer words, or the start of a code.";
          results.appendChild(none);
          return;
        }
        var list = document.createElement("ul");
        list.className = "match-list";
        body.results.forEach(function (match) {
          var item = document.createElement("li");
          if (match.billable) {
            var button = document.createElement("button");
            button.type = "submit";
            button.name = addName;
            button.value = match.code;
            button.className = "button button-quiet button-small";
            button.textContent = "Add " + match.code;
            item.appendChild(button);
          } else {
            var category = document.createElement("span");
            category.className = "code-category";
            category.textContent = match.code + " (category)";
            item.appendChild(category);
          }
          item.appendChild(document.createTextNode(" " + match.descriptor));
          list.appendChild(item);
        });
        results.appendChild(list);
        if (body.more) {
          var more = document.createElement("p");
          more.className = "hint more-codes";
          more.textContent = "More codes match than are listed: add a word or a level (for example C5-C6) to narrow the list.";
          results.appendChild(more);
        }
      });
    }, 250);
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); run(); }
    });
  }

  /* Trial response, from the server's rule (the same function the decision uses). */
  function trialResponse(container) {
    var url = container.getAttribute("data-response-url");
    function update(row) {
      var field = function (name) { return row.querySelector("[name$='-" + name + "']"); };
      var output = row.querySelector("output.response");
      if (!output) { return; }
      var params = ["pain_before", "pain_after", "peripheralization", "new_neuro_signs"]
        .map(function (name) {
          var input = field(name);
          return name + "=" + encodeURIComponent(input ? input.value.trim() : "");
        }).join("&");
      getJSON(url + "?" + params, function (body) {
        output.textContent = body.words || "—";
        output.className = "response response-" + (body.response || "none");
      });
    }
    var later = debounce(update, 200);
    container.addEventListener("input", function (event) {
      var row = event.target.closest(".trial-row");
      if (row) { later(row); }
    });
    container.addEventListener("change", function (event) {
      var row = event.target.closest(".trial-row");
      if (row) { update(row); }
    });
  }

  /* A clinic trial (mechanical or manual) is not asked about the home unit (clarification 13):
     its two questions hide, and are not sent, while a clinic device is chosen. */
  function homeUnitQuestions(container) {
    function update(row) {
      var device = row.querySelector("select[name$='-device']");
      var questions = row.querySelector(".home-unit-only");
      if (!device || !questions) { return; }
      var clinic = device.value === "mechanical" || device.value === "manual";
      questions.hidden = clinic;
      questions.querySelectorAll("select").forEach(function (select) { select.disabled = clinic; });
      var note = row.querySelector(".clinic-trial-note");
      if (note) { note.hidden = !clinic; }
    }
    container.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-device']")) { update(event.target.closest(".trial-row")); }
    });
    container.querySelectorAll(".trial-row").forEach(update);
  }

  /* Add a trial row by copying the empty one and numbering it after the last. */
  function addTrialRows(button) {
    button.addEventListener("click", function (event) {
      var form = button.form;
      var rows = form.querySelectorAll(".trial-row");
      var blank = form.querySelector(".trial-row.trial-new") || rows[rows.length - 1];
      if (!blank) { return; }
      event.preventDefault();
      var next = rows.length;
      var copy = blank.cloneNode(true);
      var pattern = /trials-rows-\d+-/g;
      var replacement = "trials-rows-" + next + "-";
      copy.querySelectorAll("[id],[name],[for],[aria-describedby],[aria-labelledby]").forEach(function (el) {
        ["id", "name", "for", "aria-describedby", "aria-labelledby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(pattern, replacement)); }
        });
        if (el.matches("input[type=text], input[type=date]")) { el.value = ""; }
        if (el.matches("select")) { el.selectedIndex = 0; }
      });
      copy.querySelectorAll(".field-error, .clinic-trial-note").forEach(function (el) { el.remove(); });
      copy.querySelectorAll(".home-unit-only").forEach(function (el) {
        el.hidden = false;
        el.querySelectorAll("select").forEach(function (select) { select.disabled = false; });
      });
      copy.setAttribute("data-index", String(next));
      copy.querySelector("legend").textContent = "New trial " + (next + 1);
      blank.parentNode.appendChild(copy);
      var first = copy.querySelector("input");
      if (first) { first.focus(); }
    });
  }

  /* An absolute contraindication is flagged the moment it is answered Yes. */
  function contraindicationFlags(form) {
    form.addEventListener("change", function (event) {
      var input = event.target;
      var question = input.closest("fieldset.question");
      if (!question) { return; }
      var pending = question.querySelector(".unanswered");
      if (pending) { pending.remove(); }
      if (!input.hasAttribute("data-absolute")) { return; }
      var flag = question.querySelector(".contra-flag");
      var yes = input.value === "yes" && input.checked;
      question.classList.toggle("flagged", yes);
      if (flag) { flag.hidden = !yes; }
    });
  }

  /* The order's frequency wording follows the minutes and sessions while it is the wording
     written from them (the server checks that a typed wording agrees: order_frequency.py). */
  function frequencyWording(section) {
    var minutes = section.querySelector("#request-minutes");
    var sessions = section.querySelector("#request-sessions_per_day");
    var wording = section.querySelector("#request-frequency_text");
    if (!minutes || !sessions || !wording) { return; }
    var times = { 1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily" };
    function sentence() {
      var m = minutes.value.trim(), n = parseInt(sessions.value.trim(), 10);
      if (!/^\d+(\.\d+)?$/.test(m) || !(n >= 1)) { return null; }
      return m + " minutes, " + (times[n] || n + " times daily");
    }
    var last = sentence();
    function follow() {
      var next = sentence();
      if (next && (wording.value.trim() === "" || wording.value === last)) { wording.value = next; }
      last = next;
    }
    minutes.addEventListener("input", follow);
    sessions.addEventListener("input", follow);
  }

  /* Screening by keyboard: in a question, Y answers Yes and N answers No, and the focus moves
     to the next question. Each answer is still one key per question, chosen on purpose;
     arrows and Space work as in any radio group. */
  function screeningKeys(section) {
    var questions = Array.prototype.slice.call(section.querySelectorAll("fieldset.question"));
    section.addEventListener("keydown", function (event) {
      var radio = event.target;
      if (event.altKey || event.ctrlKey || event.metaKey) { return; }
      if (!radio.matches || !radio.matches("fieldset.question input[type=radio]")) { return; }
      var value = { y: "yes", n: "no" }[event.key.toLowerCase()];
      if (!value) { return; }
      var question = radio.closest("fieldset.question");
      var choice = question.querySelector("input[type=radio][value=" + value + "]");
      if (!choice) { return; }
      event.preventDefault();
      choice.checked = true;
      choice.dispatchEvent(new Event("change", { bubbles: true }));
      var next = questions[questions.indexOf(question) + 1];
      var target = next ? (next.querySelector("input[type=radio]:checked") ||
                           next.querySelector("input[type=radio]")) : choice;
      target.focus();
    });
  }

  /* New case: once a member id and a date of birth are typed, say whether the clinic already
     has cases of this patient (a warning with links; creating the case is still allowed). */
  function samePatientNotice(form) {
    var url = form.getAttribute("data-same-patient-url");
    var notice = form.querySelector("#same-patient-notice");
    var member = form.querySelector("input[name=member_id]");
    var born = form.querySelector("input[name=date_of_birth]");
    var token = form.querySelector("input[name=csrf_token]");
    if (!url || !notice || !member || !born) { return; }
    var asked = "";
    function show(cases) {
      notice.textContent = "";
      if (!cases.length) { notice.hidden = true; return; }
      var title = document.createElement("p");
      title.className = "alert-title";
      title.textContent = "This patient already has " + cases.length + " case" +
        (cases.length > 1 ? "s" : "") + " in your clinic (same member id and date of birth).";
      notice.appendChild(title);
      var list = document.createElement("ul");
      cases.forEach(function (found) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = found.url;
        link.textContent = found.words;
        item.appendChild(link);
        list.appendChild(item);
      });
      notice.appendChild(list);
      var next = document.createElement("p");
      next.textContent = "Open the earlier case if this is the same episode. A new case is still " +
        "allowed: a unit this clinic delivered within 5 years becomes its prior device.";
      notice.appendChild(next);
      notice.hidden = false;
    }
    var ask = debounce(function () {
      var m = member.value.trim(), b = born.value.trim();
      if (!m || !/^\d{4}-\d{2}-\d{2}$/.test(b)) { show([]); asked = ""; return; }
      if (m + "|" + b === asked) { return; }
      asked = m + "|" + b;
      var body = new URLSearchParams();
      body.set("member_id", m);
      body.set("date_of_birth", b);
      if (token) { body.set("csrf_token", token.value); }
      fetch(url, { method: "POST", credentials: "same-origin", body: body,
                   headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (found) { if (found) { show(found.cases); } })
        .catch(function () { /* the case page says so after creation */ });
    }, 300);
    member.addEventListener("input", ask);
    born.addEventListener("input", ask);
    member.addEventListener("change", ask);
    born.addEventListener("change", ask);
    ask();
  }

  /* Leaving the page with typed, unsaved entries asks first (the browser's own question). */
  function unsavedGuard(form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".code-search").forEach(codeSearch);
    document.querySelectorAll(".trial-rows[data-response-url]").forEach(trialResponse);
    document.querySelectorAll("[data-add-trial]").forEach(addTrialRows);
    document.querySelectorAll(".trial-rows").forEach(homeUnitQuestions);
    document.querySelectorAll("div.section-form[data-section=screening]").forEach(contraindicationFlags);
    document.querySelectorAll("div.section-form[data-section=screening]").forEach(screeningKeys);
    document.querySelectorAll("form.case-form").forEach(unsavedGuard);
    document.querySelectorAll("div.section-form[data-section=prescription]").forEach(frequencyWording);
    document.querySelectorAll("form[data-same-patient-url]").forEach(samePatientNotice);
    document.querySelectorAll("button[data-once]").forEach(function (button) {
      button.form.addEventListener("submit", function () {
        setTimeout(function () { button.disabled = true; }, 0);
      });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
