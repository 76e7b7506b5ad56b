// Single logout (OIDC Front-Channel Logout 1.0 §2): once every app's logout frame has loaded, or
// after a short wait for a slow one, continue to where the logout should end.
(function () {
  var main = document.getElementById("logged-out");
  var next = main && main.getAttribute("data-continue");
  if (!next) return;
  var frames = document.querySelectorAll("iframe.slo-frame");
  var left = frames.length;
  var done = false;
  function go() {
    if (!done) { done = true; window.location.assign(next); }
  }
  frames.forEach(function (f) {
    f.addEventListener("load", function () { left -= 1; if (left <= 0) go(); });
  });
  setTimeout(go, 5000);
})();
