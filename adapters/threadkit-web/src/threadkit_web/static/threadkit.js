/* threadkit: progressive enhancement of the server-rendered comment section.
 *
 * No build step, no dependencies, no inline code (it runs under a strict CSP).
 * Everything works without this file; with it, replying opens the form under
 * the comment, posting and editing happen without a reload, and "older
 * comments" / "N more replies" load in place. Settings come from the data-
 * attributes of the [data-tk-prefix] element around each thread. HTML comes
 * from the server's /fragments routes, rendered by the same templates.
 */
(function () {
  "use strict";

  function settings(el) {
    var root = el.closest("[data-tk-prefix]");
    if (!root) { return null; }
    return {
      root: root,
      prefix: root.getAttribute("data-tk-prefix") || "",
      csrf: root.getAttribute("data-tk-csrf") || "",
      header: root.getAttribute("data-tk-csrf-header") || "X-Threadkit-CSRF",
      next: root.getAttribute("data-tk-next") || "/",
      key: root.getAttribute("data-tk-thread") || "",
      sort: root.getAttribute("data-tk-sort") || ""
    };
  }

  /* ---------------------------------------------------------------- language */

  // data-tk-i18n on the thread: {"lang", "messages": {English: translated},
  // "plurals": {English singular: {CLDR category: form}}}, from the server's catalogs.
  var catalogs = new WeakMap();

  function catalog(el) {
    var root = el.closest("[data-tk-i18n]");
    if (!root) { return { lang: document.documentElement.lang || "en", messages: {}, plurals: {} }; }
    if (!catalogs.has(root)) {
      var parsed;
      try { parsed = JSON.parse(root.getAttribute("data-tk-i18n")); } catch (e) { parsed = {}; }
      catalogs.set(root, {
        lang: parsed.lang || "en", messages: parsed.messages || {}, plurals: parsed.plurals || {}
      });
    }
    return catalogs.get(root);
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    }).replace(/&ldquo;/g, "\u201c").replace(/&rdquo;/g, "\u201d");
  }

  function t(el, text, values) {
    var messages = catalog(el).messages;
    return fill(Object.prototype.hasOwnProperty.call(messages, text) ? messages[text] : text, values);
  }

  function tn(el, singular, plural, n, values) {
    var cat = catalog(el);
    var forms = cat.plurals[singular];
    var text = n === 1 ? singular : plural;
    if (forms && window.Intl && Intl.PluralRules) {
      text = forms[new Intl.PluralRules(cat.lang).select(n)] || forms.other || text;
    }
    return fill(text, values);
  }

  function formatNumber(el, n) {
    return window.Intl ? new Intl.NumberFormat(catalog(el).lang).format(n) : String(n);
  }

  // <time datetime> is written in UTC by the server; the browser knows the reader's zone:
  // show how long ago, with the exact local time on hover.
  var UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
    ["hour", 3600], ["minute", 60]];

  function localTimes(scope) {
    if (!window.Intl || !Intl.RelativeTimeFormat) { return; }
    Array.prototype.forEach.call(scope.querySelectorAll(".tk-thread time[datetime], .tk-item time[datetime]"), function (el) {
      if (el.hasAttribute("data-tk-local")) { return; }
      var when = new Date(el.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      var lang = catalog(el).lang;
      el.title = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" }).format(when);
      var seconds = (when.getTime() - Date.now()) / 1000;
      var relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
      var text = relative.format(Math.round(seconds), "second");
      for (var i = 0; i < UNITS.length; i++) {
        if (Math.abs(seconds) >= UNITS[i][1]) {
          text = relative.format(Math.round(seconds / UNITS[i][1]), UNITS[i][0]);
          break;
        }
      }
      el.textContent = text;
      el.setAttribute("data-tk-local", "");
    });
  }

  function announce(cfg, text) {
    var live = cfg.root.querySelector("[data-tk-live]");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  function api(cfg, method, path, body, extra) {
    var headers = { "Accept": "application/json" };
    headers[cfg.header] = cfg.csrf;
    Object.keys(extra || {}).forEach(function (name) { headers[name] = extra[name]; });
    var init = { method: method, credentials: "same-origin", headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(cfg.prefix + path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function fragment(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text().then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html;
          return { nodes: template.content, next: response.headers.get("X-Threadkit-Next") };
        });
      });
  }

  function commentFragmentUrl(cfg, id) {
    return cfg.prefix + "/fragments/comments/" + id + "?next=" + encodeURIComponent(cfg.next);
  }

  function showError(box, problem, form) {
    var detail = (problem && problem.detail) || t(box, "Something went wrong; please try again.");
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = detail;
    box.appendChild(p);
    box.hidden = false;
    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
        el.removeAttribute("aria-invalid");
      });
      if (problem && problem.field) {
        var field = form.querySelector("[name='" + problem.field.replace(/[^a-z_]/gi, "") + "']");
        if (field) { field.setAttribute("aria-invalid", "true"); }
      }
    }
    box.focus();
  }

  function clearError(box) {
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  /* ---------------------------------------------------------------- replying */

  var homes = new WeakMap();

  function startReply(link) {
    var cfg = settings(link);
    if (!cfg) { return; }
    var respond = cfg.root.querySelector("[data-tk-respond]");
    var item = link.closest("[data-tk-item]");
    if (!respond || !item) { return; }
    if (!homes.has(respond)) {
      var marker = document.createComment("tk-respond-home");
      respond.parentNode.insertBefore(marker, respond);
      homes.set(respond, marker);
    }
    var article = item.querySelector("article");
    article.parentNode.insertBefore(respond, article.nextSibling);
    respond.querySelector("[data-tk-parent]").value = link.getAttribute("data-tk-reply");
    var author = link.getAttribute("data-tk-author") || t(link, "this comment");
    respond.querySelector("[data-tk-respond-label]").textContent =
      t(link, "Reply to %(name)s", { name: author });
    var cancel = respond.querySelector("[data-tk-cancel]");
    cancel.hidden = false;
    respond.setAttribute("data-tk-from", link.getAttribute("data-tk-reply"));
    var input = respond.querySelector("[data-tk-body-input]");
    if (input) { input.focus(); }
  }

  function cancelReply(respond, focusBack) {
    var marker = homes.get(respond);
    var from = respond.getAttribute("data-tk-from");
    if (marker) { marker.parentNode.insertBefore(respond, marker.nextSibling); }
    respond.querySelector("[data-tk-parent]").value = "";
    respond.querySelector("[data-tk-respond-label]").textContent = t(respond, "Leave a Reply");
    respond.querySelector("[data-tk-cancel]").hidden = true;
    respond.removeAttribute("data-tk-from");
    if (focusBack && from) {
      var link = document.querySelector("[data-tk-reply='" + from.replace(/\D/g, "") + "']");
      if (link) { link.focus(); }
    }
  }

  function depthOf(item) {
    var article = item.querySelector("article");
    return parseInt((article && article.getAttribute("data-tk-depth")) || "0", 10);
  }

  function insertComment(cfg, nodes, parentId) {
    var item = nodes.querySelector("[data-tk-item]");
    if (!item) { return null; }
    if (parentId) {
      var parent = cfg.root.querySelector("[data-tk-item='" + parentId + "']");
      // Past the depth limit a reply is shown beside its parent, as the server does:
      // climb to the nearest ancestor shown one level above the new comment.
      var depth = depthOf(item);
      while (parent && depthOf(parent) >= depth) {
        parent = parent.parentNode.closest("[data-tk-item]");
      }
      if (parent) {
        parentId = parent.getAttribute("data-tk-item");
        var list = parent.querySelector(":scope > ol.tk-replies");
        if (!list) {
          list = document.createElement("ol");
          list.className = "tk-replies";
          list.setAttribute("data-tk-replies", parentId);
          var more = parent.querySelector(":scope > .tk-more");
          parent.insertBefore(list, more);
        }
        list.appendChild(item);
        return item;
      }
    }
    var top = cfg.root.querySelector("[data-tk-list]");
    if (cfg.sort === "newest") { top.insertBefore(item, top.firstChild); } else { top.appendChild(item); }
    return item;
  }

  function bumpCount(cfg, delta) {
    var heading = cfg.root.querySelector("[data-tk-count]");
    if (!heading) { return; }
    var count = Math.max(0, parseInt(heading.getAttribute("data-tk-count") || "0", 10) + delta);
    var title = heading.getAttribute("data-tk-title") || "";
    var values = { count: formatNumber(heading, count), title: title };
    heading.setAttribute("data-tk-count", String(count));
    heading.textContent = count === 0 ? t(heading, "No comments yet")
      : title ? tn(heading, "One comment on &ldquo;%(title)s&rdquo;",
        "%(count)s comments on &ldquo;%(title)s&rdquo;", count, values)
        : tn(heading, "One comment", "%(count)s comments", count, values);
  }

  function freshKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function submitComment(form) {
    var cfg = settings(form);
    if (!cfg) { return; }
    var box = form.querySelector("[data-tk-error]");
    var value = function (name) {
      var el = form.elements.namedItem(name);
      return el && "value" in el ? el.value : "";
    };
    var parentId = value("parent_id");
    var body = {
      body: value("body"),
      parent_id: parentId ? parseInt(parentId, 10) : null,
      notify_replies: !!(form.elements.namedItem("notify_replies") || {}).checked,
      notify_thread: !!(form.elements.namedItem("notify_thread") || {}).checked,
      honeypot: value("homepage"),
      thread_meta: value("thread_meta")
    };
    ["name", "email", "url"].forEach(function (name) {
      if (form.elements.namedItem(name)) { body[name] = value(name); }
    });
    var button = form.querySelector("[data-tk-submit]");
    if (button) { button.disabled = true; }
    clearError(box);
    // The form's idempotency key: resending after a lost answer posts once, not twice.
    var keyField = form.querySelector("[data-tk-idempotency]");
    var extra = keyField && keyField.value ? { "Idempotency-Key": keyField.value } : {};
    api(cfg, "POST", "/api/threads/" + encodeURIComponent(cfg.key) + "/comments", body, extra)
      .then(function (result) {
        if (!result.ok) { showError(box, result.data, form); return null; }
        var comment = result.data;
        if (keyField) { keyField.value = freshKey(); }  // the next comment is a new post
        rememberAuthor(form);
        return fragment(commentFragmentUrl(cfg, comment.id)).then(function (got) {
          var respond = form.closest("[data-tk-respond]");
          if (respond.hasAttribute("data-tk-from")) { cancelReply(respond, false); }
          var item = insertComment(cfg, got.nodes, comment.parent_id);
          form.elements.namedItem("body").value = "";
          if (form.querySelector("[data-tk-preview-back]:not([hidden])")) { showPreview(form, null); }
          if (comment.status === "approved") { bumpCount(cfg, 1); }
          announce(cfg, comment.status === "approved" ? t(cfg.root, "Your comment was posted.")
            : t(cfg.root, "Your comment is awaiting moderation."));
          if (item) { item.querySelector("article").focus(); }
        });
      })
      .catch(function () { showError(box, null, form); })
      .then(function () { if (button) { button.disabled = false; } });
  }

  /* ---------------------------------------------------------------- preview */

  // "Preview" shows the comment as posting would (the server's renderer and
  // sanitizer, nothing stored) in place of the text box; "Edit" goes back to it.
  function showPreview(form, html) {
    var area = form.closest("[data-tk-respond]").querySelector("[data-tk-preview]");
    var field = form.querySelector(".tk-field-body");
    area.textContent = "";
    if (html !== null) {
      var title = document.createElement("h4");
      title.className = "tk-preview-title";
      title.textContent = t(form, "Preview of your comment");
      var body = document.createElement("div");
      body.className = "tk-body";
      body.innerHTML = html;  // sanitized by the server, as a posted comment is
      area.appendChild(title);
      area.appendChild(body);
    }
    if (field) { field.hidden = html !== null; }
    form.querySelector("[data-tk-preview-button]").hidden = html !== null;
    var back = form.querySelector("[data-tk-preview-back]");
    back.hidden = html === null;
    if (html === null) { form.elements.namedItem("body").focus(); } else { back.focus(); }
  }

  function previewComment(form) {
    var cfg = settings(form);
    if (!cfg) { return; }
    var box = form.querySelector("[data-tk-error]");
    var text = form.elements.namedItem("body").value;
    clearError(box);
    api(cfg, "POST", "/api/preview", { body: text })
      .then(function (result) {
        if (!result.ok) { showError(box, result.data, form); return; }
        showPreview(form, result.data.body_html);
      })
      .catch(function () { showError(box, null, form); });
  }

  /* ---------------------------------------------------------------- remember me */

  // "Save my name, email, and website in this browser": off unless ticked (as in
  // WordPress). Kept in this site's localStorage only while ticked; unticking forgets
  // it at once. The box is hidden without JavaScript, which is what keeps it.
  var AUTHOR_KEY = "threadkit:author";

  function storedAuthor() {
    try { return JSON.parse(localStorage.getItem(AUTHOR_KEY) || "null"); } catch (e) { return null; }
  }

  function forgetAuthor() {
    try { localStorage.removeItem(AUTHOR_KEY); } catch (e) { /* nothing was kept */ }
  }

  function rememberAuthor(form) {
    var box = form.querySelector("[data-tk-remember]");
    if (!box) { return; }
    if (!box.checked) { forgetAuthor(); return; }
    var author = {};
    ["name", "email", "url"].forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input) { author[name] = input.value; }
    });
    try { localStorage.setItem(AUTHOR_KEY, JSON.stringify(author)); } catch (e) { /* storage refused */ }
  }

  function offerRemember(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-tk-remember]"), function (box) {
      box.closest("[data-tk-remember-box]").hidden = false;
      var saved = storedAuthor();
      if (saved) {
        box.checked = true;
        ["name", "email", "url"].forEach(function (name) {
          var input = box.form.elements.namedItem(name);
          if (input && !input.value && typeof saved[name] === "string") { input.value = saved[name]; }
        });
      }
      box.addEventListener("change", function () { if (!box.checked) { forgetAuthor(); } });
    });
  }

  /* ---------------------------------------------------------------- edit / delete */

  function replaceArticle(cfg, id) {
    return fragment(commentFragmentUrl(cfg, id)).then(function (got) {
      var fresh = got.nodes.querySelector("article");
      var old = cfg.root.querySelector("#comment-" + id);
      if (fresh && old) { old.parentNode.replaceChild(fresh, old); }
      return fresh;
    });
  }

  function startEdit(link) {
    var cfg = settings(link);
    var id = link.getAttribute("data-tk-edit");
    var article = link.closest("article");
    if (!cfg || !article || article.querySelector("[data-tk-edit-form]")) { return; }
    var url = link.getAttribute("href") + (link.getAttribute("href").indexOf("?") < 0 ? "?" : "&") + "fragment=1";
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        var form = template.content.querySelector("form");
        var bodyDiv = article.querySelector("[data-tk-body]");
        bodyDiv.hidden = true;
        bodyDiv.parentNode.insertBefore(form, bodyDiv.nextSibling);
        form.querySelector("textarea").focus();
        form.setAttribute("data-tk-comment-id", id);
      })
      .catch(function () { window.location.href = link.getAttribute("href"); });
  }

  function submitEdit(form) {
    var cfg = settings(form);
    var id = form.getAttribute("data-tk-edit-form");
    var box = form.querySelector("[data-tk-error]");
    clearError(box);
    api(cfg, "PATCH", "/api/comments/" + id, { body: form.elements.namedItem("body").value })
      .then(function (result) {
        if (!result.ok) { showError(box, result.data, form); return null; }
        return replaceArticle(cfg, id).then(function (fresh) {
          announce(cfg, t(cfg.root, "Your comment was updated."));
          if (fresh) { fresh.focus(); }
        });
      })
      .catch(function () { showError(box, null, form); });
  }

  function cancelEdit(link) {
    var form = link.closest("[data-tk-edit-form]");
    var article = form.closest("article");
    article.querySelector("[data-tk-body]").hidden = false;
    form.parentNode.removeChild(form);
    var edit = article.querySelector("[data-tk-edit]");
    if (edit) { edit.focus(); }
  }

  function deleteComment(link) {
    var cfg = settings(link);
    var id = link.getAttribute("data-tk-delete");
    if (!cfg || !window.confirm(t(cfg.root, "Delete this comment?"))) { return; }
    api(cfg, "DELETE", "/api/comments/" + id).then(function (result) {
      if (!result.ok) { window.alert((result.data && result.data.detail) || t(cfg.root, "Could not delete.")); return null; }
      var gone = cfg.root.querySelector("#comment-" + id);
      if (gone && gone.classList.contains("tk-status-approved")) { bumpCount(cfg, -1); }
      announce(cfg, t(cfg.root, "Your comment was deleted."));
      if (result.data && result.data.comment) {
        return replaceArticle(cfg, id).then(function (fresh) { if (fresh) { fresh.focus(); } });
      }
      var item = cfg.root.querySelector("[data-tk-item='" + id + "']");
      var parent = item && item.parentNode.closest("[data-tk-item]");
      if (item) { item.parentNode.removeChild(item); }
      var target = parent ? parent.querySelector("article") : cfg.root.querySelector("h2");
      if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
      return null;
    });
  }

  /* ---------------------------------------------------------------- votes */

  // The buttons are toggles once the reader has voted here: aria-pressed says which
  // vote is theirs, pressing it again withdraws it, and each name carries its count.
  function vote(form, submitter) {
    var cfg = settings(form);
    var id = form.getAttribute("data-tk-vote");
    var value = parseInt(submitter ? submitter.value : "0", 10);
    if (submitter && submitter.getAttribute("aria-pressed") === "true") { value = 0; }
    api(cfg, "PUT", "/api/comments/" + id + "/vote", { value: value }).then(function (result) {
      if (!result.ok) { announce(cfg, (result.data && result.data.detail) || t(cfg.root, "Vote not counted.")); return; }
      var up = form.querySelector(".tk-up");
      var down = form.querySelector(".tk-down");
      form.querySelector("[data-tk-up]").textContent = result.data.upvotes;
      form.querySelector("[data-tk-down]").textContent = result.data.downvotes;
      up.setAttribute("aria-label", t(up, "Upvote: %(count)s", { count: result.data.upvotes }));
      down.setAttribute("aria-label", t(down, "Downvote: %(count)s", { count: result.data.downvotes }));
      up.setAttribute("aria-pressed", String(value === 1));
      down.setAttribute("aria-pressed", String(value === -1));
      var mine = value === 1 ? up : value === -1 ? down : null;
      announce(cfg, t(cfg.root, "Vote counted.") + (mine ? " " + mine.getAttribute("aria-label") : ""));
    });
  }

  /* ---------------------------------------------------------------- loading more */

  function loadOlder(link) {
    var cfg = settings(link);
    fragment(link.getAttribute("data-tk-older")).then(function (got) {
      var list = cfg.root.querySelector("[data-tk-list]");
      var first = got.nodes.querySelector("article");
      list.appendChild(got.nodes);
      if (got.next) { link.setAttribute("data-tk-older", got.next); } else {
        var nav = link.closest("nav");
        nav.parentNode.removeChild(nav);
      }
      if (first) { first.focus(); }
    }).catch(function () { window.location.href = link.href; });
  }

  function loadReplies(link) {
    var item = link.closest("[data-tk-item]");
    fragment(link.getAttribute("data-tk-more-replies")).then(function (got) {
      var list = item.querySelector(":scope > ol.tk-replies");
      if (!list) {
        list = document.createElement("ol");
        list.className = "tk-replies";
        item.insertBefore(list, link.closest(".tk-more"));
      }
      // The first load brings the whole subtree from its start, replacing the replies
      // the page already showed; later loads continue after it.
      var focusAfter = list.children.length;
      if (!link.hasAttribute("data-tk-continued")) { list.textContent = ""; focusAfter = 0; }
      // Replies past the depth limit show outside this list (next to their ancestor):
      // drop those copies too, so no comment is on the page twice.
      Array.prototype.forEach.call(got.nodes.querySelectorAll("[data-tk-item]"), function (node) {
        var old = document.querySelector('[data-tk-item="' + node.getAttribute("data-tk-item") + '"]');
        if (old && old !== item && !old.contains(item)) { old.parentNode.removeChild(old); }
      });
      list.appendChild(got.nodes);
      if (got.next) {
        link.setAttribute("data-tk-more-replies", got.next);
        link.setAttribute("data-tk-continued", "");
        link.textContent = t(link, "More replies");
      } else {
        var p = link.closest(".tk-more");
        p.parentNode.removeChild(p);
      }
      var target = list.children[focusAfter] || list.children[0];
      if (target) { target.querySelector("article").focus(); }
    }).catch(function () { window.location.href = link.href; });
  }

  /* ---------------------------------------------------------------- wiring */

  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target : null;
    if (!el || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) { return; }
    var link;
    if ((link = el.closest("[data-tk-reply]"))) { event.preventDefault(); startReply(link); }
    else if ((link = el.closest("[data-tk-cancel]"))) {
      var respond = link.closest("[data-tk-respond]");
      if (respond && homes.has(respond)) { event.preventDefault(); cancelReply(respond, true); }
    }
    else if ((link = el.closest("[data-tk-edit]"))) { event.preventDefault(); startEdit(link); }
    else if ((link = el.closest("[data-tk-cancel-edit]")) && link.closest("[data-tk-comment-id]")) {
      event.preventDefault(); cancelEdit(link);
    }
    else if ((link = el.closest("[data-tk-preview-back]"))) { event.preventDefault(); showPreview(link.closest("form"), null); }
    else if ((link = el.closest("[data-tk-delete]"))) { event.preventDefault(); deleteComment(link); }
    else if ((link = el.closest("[data-tk-older]"))) { event.preventDefault(); loadOlder(link); }
    else if ((link = el.closest("[data-tk-more-replies]"))) { event.preventDefault(); loadReplies(link); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !settings(form)) { return; }
    var previewing = event.submitter && event.submitter.hasAttribute("data-tk-preview-button");
    if (form.hasAttribute("data-tk-form") && previewing) { event.preventDefault(); previewComment(form); }
    else if (form.hasAttribute("data-tk-form")) { event.preventDefault(); submitComment(form); }
    else if (form.hasAttribute("data-tk-edit-form") && form.hasAttribute("data-tk-comment-id")) {
      event.preventDefault(); submitEdit(form);
    }
    else if (form.hasAttribute("data-tk-vote")) { event.preventDefault(); vote(form, event.submitter); }
  });

  localTimes(document);
  offerRemember(document);
  // Comments loaded later (older pages, more replies, a new post) get local times too.
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        Array.prototype.forEach.call(change.addedNodes, function (node) {
          if (node instanceof Element) { localTimes(node.parentNode || node); }
        });
      });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  document.documentElement.classList.add("tk-js");
}());
