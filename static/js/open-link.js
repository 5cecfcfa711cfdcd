/* The patient link `/p#t=<token>`: the token lives in the fragment, which the browser never
   sends to a server. This script copies it into the page's form, removes it from the address
   bar and history, and submits the form (a same-origin POST that the server answers with a
   cookie and the token-free instructions page). Without it, the patient can paste the code. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var match = /(?:^#|&)t=([A-Za-z0-9_-]+)/.exec(window.location.hash);
    if (!match) { return; }
    var form = document.getElementById("open-link");
    document.getElementById("link-code").value = match[1];
    document.getElementById("open-link-manual").hidden = true;
    document.getElementById("open-link-wait").hidden = false;
    history.replaceState(null, "", window.location.pathname);
    form.submit();
  });
})();
