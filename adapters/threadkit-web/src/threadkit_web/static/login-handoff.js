// The last page of a login popup opened by the embed: hand the token to the page that
// opened it, at exactly the origin the server checked, then close. Never "*".
(function () {
  "use strict";
  var root = document.getElementById("threadkit-handoff");
  if (!root || !window.opener) return;
  var origin = root.getAttribute("data-tk-origin");
  var token = root.getAttribute("data-tk-token");
  var me = JSON.parse(root.getAttribute("data-tk-me") || "null");
  if (!origin || !token) return;
  window.opener.postMessage({ type: "threadkit:login", token: token, me: me }, origin);
  window.close();
})();
