/* threadkit embed: the comment section and count links on any page, from one tag.
 *
 *   <script src="https://comments.example/embed.js" data-thread="post-42" async></script>
 *
 * Plain JavaScript, no build step, no inline code or style (CSP-friendly). The
 * server's origin and prefix come from this script's own src. Identity never
 * rides on the comment server's cookies (browsers block third-party cookies):
 * the server issues a token, kept in this page's localStorage and sent as
 * "Authorization: Bearer" with credentials omitted. Only body_html, sanitized
 * by the server, is inserted as HTML; everything else is set as text.
 */
(function () {
  "use strict";

  var script = document.currentScript ||
    document.querySelector("script[src*='embed.js'][data-thread]") ||
    document.querySelector("script[src*='embed.js']");
  if (!script) { return; }
  var src = new URL(script.src, location.href);
  var ORIGIN = src.origin;
  var BASE = ORIGIN + (script.getAttribute("data-prefix") ||
    src.pathname.replace(/\/[^\/]*$/, ""));
  var STORE = "threadkit:" + ORIGIN;

  /* --------------------------------------------------------------- language */

  // The host page's language: data-lang on this tag, else <html lang>, else the
  // browser's. The server sends its catalog for that language (GET /embed/i18n):
  // {"lang", "messages": {English: translated}, "plurals": {singular: {CLDR category: form}}}.
  var LANG = script.getAttribute("data-lang") || document.documentElement.lang ||
    navigator.language || "en";
  var CATALOG = { lang: "en", messages: {}, plurals: {} };

  function loadCatalog() {
    if (/^en(-|$)/i.test(LANG)) { return Promise.resolve(); }
    // A simple GET (no preflight), public and cacheable; English stays if it fails.
    return fetch(BASE + "/embed/i18n?lang=" + encodeURIComponent(LANG), { credentials: "omit", mode: "cors" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.messages) { CATALOG = data; }
      }, function () { /* English, then */ });
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    }).replace(/&ldquo;/g, "\u201c").replace(/&rdquo;/g, "\u201d");
  }

  // _() and ngettext() are the names Babel's JavaScript extractor reads into the catalogs.
  function _(text, values) {
    var messages = CATALOG.messages;
    return fill(Object.prototype.hasOwnProperty.call(messages, text) ? messages[text] : text, values);
  }

  function ngettext(singular, pluralForm, n, values) {
    var forms = CATALOG.plurals[singular];
    var text = n === 1 ? singular : pluralForm;
    if (forms && window.Intl && Intl.PluralRules) {
      text = forms[new Intl.PluralRules(CATALOG.lang).select(n)] || forms.other || text;
    }
    return fill(text, Object.assign({ num: number(n), count: number(n) }, values || {}));
  }

  // Called once the catalog is in: the labels are read when the bar is built.
  function sorts() {
    return [["oldest", _("Oldest")], ["newest", _("Newest")], ["top", _("Top")]];
  }

  function number(n) {
    return window.Intl ? new Intl.NumberFormat(CATALOG.lang).format(n) : String(n);
  }

  /* ------------------------------------------------------------ small tools */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else if (name === "on") {
        Object.keys(value).forEach(function (type) { node.addEventListener(type, value[type]); });
      } else { node.setAttribute(name, value === true ? "" : String(value)); }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function button(text, onClick, attrs) {
    var b = el("button", Object.assign({ type: "button", text: text, on: { click: onClick } }, attrs || {}));
    return b;
  }

  function load(name, fallback) {
    try {
      var raw = localStorage.getItem(name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) { return fallback; }
  }

  function save(name, value) {
    try {
      if (value === null) { localStorage.removeItem(name); } else { localStorage.setItem(name, JSON.stringify(value)); }
    } catch (e) { /* storage full or refused: the page still works for this visit */ }
  }

  function freshKey() {
    if (crypto.randomUUID) { return crypto.randomUUID(); }
    return Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(16)), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function plural(count) {
    return count === 0 ? _("No comments yet") : ngettext("%(count)s comment", "%(count)s comments", count);
  }

  /* --------------------------------------------------------------- identity */

  // The token is kept as is (not JSON) under threadkit:<server origin>.
  var token = (function () {
    try { return localStorage.getItem(STORE); } catch (e) { return null; }
  }());

  function setToken(value) {
    if (value !== token) { save(STORE + ":mine", null); save(STORE + ":votes", null); }
    token = value;
    try {
      if (value === null) { localStorage.removeItem(STORE); } else { localStorage.setItem(STORE, value); }
    } catch (e) { /* kept for this visit only */ }
  }

  function request(method, path, body, extra) {
    var headers = { "Accept": "application/json" };
    // The server's messages (a refused post's detail) in the section's language.
    if (/^[A-Za-z0-9_-]{1,35}$/.test(LANG)) { headers["Accept-Language"] = LANG.replace(/_/g, "-"); }
    if (token) { headers.Authorization = "Bearer " + token; }
    Object.keys(extra || {}).forEach(function (name) { headers[name] = extra[name]; });
    var init = { method: method, headers: headers, credentials: "omit", mode: "cors" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(BASE + path, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: {
        detail: _("Could not reach the comment server. Nothing was lost: please try again.")
      } };
    });
  }

  function newSession() {
    token = null;
    return request("POST", "/api/session", {}).then(function (answer) {
      if (answer.ok && answer.data && answer.data.token) { setToken(answer.data.token); }
      return answer;
    });
  }

  /* A token the server no longer accepts (expired, or its secret changed) is
   * replaced once by a fresh anonymous one, and the call is made again. */
  function api(method, path, body, extra) {
    var ready = token ? Promise.resolve() : newSession();
    return ready.then(function () {
      return request(method, path, body, extra).then(function (answer) {
        if (answer.status !== 401 || !token) { return answer; }
        return newSession().then(function () { return request(method, path, body, extra); });
      });
    });
  }

  function mine() { return load(STORE + ":mine", {}); }

  function rememberMine(comment) {
    var own = mine();
    own[comment.id] = Date.now();
    save(STORE + ":mine", own);
  }

  /* ------------------------------------------------------------ the thread */

  function Thread(root, key, sort, limits) {
    this.root = root;
    this.key = key;
    this.sort = sort;
    this.limits = limits;
    this.me = null;
    this.formKey = freshKey();
  }

  Thread.prototype.path = function () {
    return "/api/threads/" + encodeURIComponent(this.key);
  };

  Thread.prototype.start = function () {
    var self = this;
    self.root.textContent = "";
    self.root.classList.add("tk-embed");
    // The section reads right in its own language even inside a page in another.
    self.root.setAttribute("lang", CATALOG.lang);
    self.root.setAttribute("dir", CATALOG.dir || "ltr");
    self.heading = el("h2", { "class": "tk-title", tabindex: "-1", text: _("Comments") });
    self.sortBar = el("div", { "class": "tk-sort", role: "group", "aria-label": _("Sort comments") });
    self.live = el("p", { "class": "tk-visually-hidden", "aria-live": "polite" });
    self.list = el("ol", { "class": "tk-comments" });
    self.more = el("div", { "class": "tk-more-top" });
    self.respondHome = el("div", { "class": "tk-respond-home" });
    self.root.append(self.heading, self.sortBar, self.live, self.list, self.more, self.respondHome);
    sorts().forEach(function (pair) {
      self.sortBar.appendChild(button(pair[1], function () { self.sort = pair[0]; self.reload(); },
        { "data-tk-sort": pair[0] }));
    });
    return self.refreshMe().then(function () { return self.reload(); });
  };

  Thread.prototype.announce = function (text) {
    var live = this.live;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 50);
  };

  Thread.prototype.refreshMe = function () {
    var self = this;
    return api("GET", "/api/me").then(function (answer) {
      self.me = answer.ok ? answer.data : { identity: null, logged_in: false, providers: [] };
      self.buildForm();
    });
  };

  Thread.prototype.reload = function () {
    var self = this;
    if (self.respond && self.parentId) { self.endReply(false); }  // the list is rebuilt
    // Two quick clicks race: only the answer to the latest one may fill the list.
    var asked = self.sort;
    var generation = self.generation = (self.generation || 0) + 1;
    return self.fetchPage(null).then(function (page) {
      if (generation !== self.generation) { return; }
      self.list.textContent = "";
      if (page) { self.showPage(page); }
      // Pressed once the comments are in that order, not when asked.
      Array.prototype.forEach.call(self.sortBar.children, function (b) {
        b.setAttribute("aria-pressed", String(b.getAttribute("data-tk-sort") === asked));
      });
    });
  };

  Thread.prototype.fetchPage = function (cursor) {
    var self = this;
    var query = "?sort=" + encodeURIComponent(self.sort) + self.limits.top + self.limits.total +
      (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return api("GET", self.path() + query).then(function (answer) {
      if (answer.ok) { return answer.data; }
      if (answer.status === 404) {
        self.setCount(0);
        return null;
      }
      self.more.textContent = "";
      self.more.appendChild(el("p", { "class": "tk-error", role: "alert", text: detail(answer) }));
      return null;
    });
  };

  Thread.prototype.setCount = function (count) {
    this.count = count;
    this.heading.textContent = plural(count);
  };

  Thread.prototype.showPage = function (page) {
    var self = this;
    self.setCount(page.thread.comment_count);
    page.comments.forEach(function (node) { self.list.appendChild(self.item(node)); });
    self.more.textContent = "";
    if (page.next_cursor) {
      self.more.appendChild(button(_("More comments"), function () {
        self.fetchPage(page.next_cursor).then(function (next) { if (next) { self.showPage(next); } });
      }, { "class": "tk-more" }));
    }
  };

  Thread.prototype.item = function (node) {
    var self = this;
    var li = el("li", { "class": "tk-item", "data-tk-item": node.id });
    li.appendChild(self.article(node));
    var replies = el("ol", { "class": "tk-replies" });
    (node.replies || []).forEach(function (child) { replies.appendChild(self.item(child)); });
    li.appendChild(replies);
    if (node.more_replies > 0) {
      var label = ngettext("%(num)s more reply", "%(num)s more replies", node.more_replies);
      var more = button(label, function () { self.loadReplies(node.id, replies, more, null); },
        { "class": "tk-more" });
      li.appendChild(more);
    }
    return li;
  };

  Thread.prototype.loadReplies = function (id, list, more, cursor) {
    var self = this;
    more.disabled = true;
    var query = "?" + self.limits.total.slice(1) + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    api("GET", "/api/comments/" + id + "/replies" + query).then(function (answer) {
      if (!answer.ok) {
        more.disabled = false;
        more.after(el("p", { "class": "tk-error", role: "alert", text: detail(answer) }));
        return;
      }
      if (!cursor) { list.textContent = ""; }
      answer.data.comments.forEach(function (child) { list.appendChild(self.item(child)); });
      if (answer.data.next_cursor) {
        more.replaceWith(more = button(_("More replies"), function () {
          self.loadReplies(id, list, more, answer.data.next_cursor);
        }, { "class": "tk-more" }));
      } else {
        more.remove();
      }
      self.announce(_("Replies loaded."));
    });
  };

  // How long ago, in the section's language and the reader's time zone, with the exact
  // time on hover (title) and in datetime, as on the server-rendered pages.
  var UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
    ["hour", 3600], ["minute", 60], ["second", 1]];

  function when(iso) {
    var date = new Date(iso);
    if (!window.Intl || !Intl.RelativeTimeFormat || isNaN(date.getTime())) {
      return el("time", { "class": "tk-when", datetime: iso, text: date.toLocaleString(CATALOG.lang) });
    }
    var exact = new Intl.DateTimeFormat(CATALOG.lang, { dateStyle: "long", timeStyle: "short" }).format(date);
    var seconds = (date.getTime() - Date.now()) / 1000;
    var unit = UNITS.filter(function (u) { return Math.abs(seconds) >= u[1]; })[0] || UNITS[UNITS.length - 1];
    var text = new Intl.RelativeTimeFormat(CATALOG.lang, { numeric: "auto" })
      .format(Math.round(seconds / unit[1]), unit[0]);
    return el("time", { "class": "tk-when", datetime: iso, title: exact, text: text });
  }

  Thread.prototype.article = function (c) {
    var self = this;
    var article = el("article", {
      "class": "tk-comment tk-status-" + c.status, id: "tk-comment-" + c.id,
      tabindex: "-1", "data-tk-depth": c.depth
    });
    if (c.status === "deleted" || !c.author) {
      article.appendChild(el("p", { "class": "tk-deleted", text: _("This comment was deleted.") }));
      return article;
    }
    var name = c.author.url
      ? el("a", { href: c.author.url, rel: "nofollow ugc noopener", text: c.author.name })
      : el("span", { text: c.author.name });
    var header = el("header", { "class": "tk-meta" }, [
      c.author.avatar ? el("img", { "class": "tk-avatar", src: c.author.avatar, alt: "" }) : null,
      el("h3", { "class": "tk-author" }, [name, c.author.verified
        ? el("span", { "class": "tk-badge tk-badge-verified", text: _("verified") }) : null]),
      when(c.created_at),
      c.edited_at ? el("span", { "class": "tk-when", text: _("(edited)") }) : null
    ]);
    article.appendChild(header);
    if (c.status === "pending") {
      article.appendChild(el("p", { "class": "tk-notice", text: _("Your comment is awaiting moderation.") }));
    }
    var body = el("div", { "class": "tk-body" });
    body.innerHTML = c.body_html;  // sanitized by the server: the only HTML the embed inserts
    article.appendChild(body);
    var actions = el("div", { "class": "tk-actions" });
    if (c.status === "approved") {
      actions.appendChild(self.votes(c));
      actions.appendChild(button(_("Reply"), function () { self.startReply(c, article); },
        { "class": "tk-link-button", "aria-label": _("Reply to %(name)s", { name: c.author.name }) }));
    }
    var own = mine()[c.id];
    var seconds = (self.me && self.me.edit_window_seconds) || 900;
    if (own && Date.now() - new Date(c.created_at).getTime() < seconds * 1000) {
      actions.appendChild(button(_("Edit"), function () { self.startEdit(c, article, body); },
        { "class": "tk-link-button" }));
      actions.appendChild(button(_("Delete"), function () { self.remove(c, article); },
        { "class": "tk-link-button" }));
    }
    article.appendChild(actions);
    return article;
  };

  Thread.prototype.votes = function (c) {
    var self = this;
    var votes = load(STORE + ":votes", {});
    var score = el("span", { "class": "tk-score", text: String(c.score || 0), "aria-label": _("Score") });
    var group = el("span", { "class": "tk-vote", role: "group", "aria-label": _("Vote") });
    function vote(value) {
      var current = load(STORE + ":votes", {})[c.id] || 0;
      var wanted = current === value ? 0 : value;
      api("PUT", "/api/comments/" + c.id + "/vote", { value: wanted }).then(function (answer) {
        if (!answer.ok) { self.announce(detail(answer)); group.after(errorBox(answer)); return; }
        var all = load(STORE + ":votes", {});
        all[c.id] = wanted;
        save(STORE + ":votes", all);
        score.textContent = String(answer.data.score || 0);
        named(answer.data, wanted);
        // Say the new count of the reader's side, not only that the vote went through.
        var mine = wanted === 1 ? up : wanted === -1 ? down : null;
        self.announce(_("Vote counted.") + (mine ? " " + mine.getAttribute("aria-label") : ""));
      });
    }
    var up = button("\u25B2", function () { vote(1); });
    var down = button("\u25BC", function () { vote(-1); });
    // Each name carries its count and aria-pressed the reader's own vote, as on the
    // server-rendered page: the visible arrows alone say neither.
    function named(counts, value) {
      up.setAttribute("aria-label", _("Upvote: %(count)s", { count: number(counts.upvotes || 0) }));
      down.setAttribute("aria-label", _("Downvote: %(count)s", { count: number(counts.downvotes || 0) }));
      up.setAttribute("aria-pressed", String(value === 1));
      down.setAttribute("aria-pressed", String(value === -1));
    }
    named(c, votes[c.id] || 0);
    group.append(up, score, down);
    return group;
  };

  function detail(answer) {
    return (answer.data && answer.data.detail) ||
      _("Something went wrong (HTTP %(status)s); please try again.", { status: answer.status });
  }

  function errorBox(answer) {
    return el("p", { "class": "tk-error", role: "alert", text: detail(answer) });
  }

  /* ------------------------------------------------------ edit and delete */

  Thread.prototype.startEdit = function (c, article, body) {
    var self = this;
    if (article.querySelector("form")) { return; }
    var id = "tk-edit-" + c.id;
    var area = el("textarea", { id: id, name: "body", rows: "5", required: true });
    area.value = c.body_source;
    var box = el("div", { "class": "tk-error", role: "alert", hidden: true });
    var form = el("form", { "class": "tk-edit-form" }, [
      el("label", { "for": id, text: _("Edit your comment") }), area, box,
      el("div", { "class": "tk-buttons" }, [
        el("button", { type: "submit", text: _("Save changes") }),
        button(_("Cancel"), function () { form.remove(); body.hidden = false; })
      ])
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      api("PATCH", "/api/comments/" + c.id, { body: area.value }).then(function (answer) {
        if (!answer.ok) { showError(box, answer, form); return; }
        var fresh = self.article(answer.data);
        article.replaceWith(fresh);
        fresh.focus();
        self.announce(_("Your comment was updated."));
      });
    });
    body.hidden = true;
    body.after(form);
    area.focus();
  };

  Thread.prototype.remove = function (c, article) {
    var self = this;
    if (!window.confirm(_("Delete this comment?"))) { return; }
    api("DELETE", "/api/comments/" + c.id).then(function (answer) {
      if (!answer.ok) { article.appendChild(errorBox(answer)); return; }
      // Deleting can also remove placeholders above it: show what the server now has.
      self.reload().then(function () {
        self.heading.focus();
        self.announce(_("Your comment was deleted."));
      });
    });
  };

  /* ---------------------------------------------------------- the form */

  function showError(box, answer, form) {
    box.textContent = detail(answer);
    box.hidden = false;
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
    });
    var field = answer.data && answer.data.field;
    if (field && form.elements.namedItem(field)) {
      form.elements.namedItem(field).setAttribute("aria-invalid", "true");
    }
  }

  function field(name, label, type, value, hint) {
    var id = "tk-field-" + name + "-" + Math.random().toString(36).slice(2, 8);
    var input = el("input", { id: id, name: name, type: type, autocomplete: name === "url" ? "url" : name });
    input.value = value || "";
    return el("p", { "class": "tk-field" }, [
      el("label", { "for": id, text: label }), input,
      hint ? el("span", { "class": "tk-hint", text: hint }) : null
    ]);
  }

  Thread.prototype.logins = function () {
    var self = this;
    var list = el("ul", { "class": "tk-logins" });
    (self.me.providers || []).forEach(function (p) {
      if (p.kind !== "redirect" || !p.login_url) { return; }
      list.appendChild(el("li", {}, [button(_("Log in with %(provider)s", { provider: p.label || p.name }), function () {
        self.login(p);
      }, { "class": "tk-login", "data-tk-provider": p.name })]));
    });
    return list.children.length ? list : null;
  };

  Thread.prototype.login = function (provider) {
    var url = new URL(provider.login_url, ORIGIN + "/");
    url.searchParams.set("embed", location.origin);
    window.open(url.toString(), "threadkit-login", "popup,width=520,height=680");
  };

  Thread.prototype.logout = function () {
    var self = this;
    request("POST", "/api/logout").then(function () {
      setToken(null);
      return self.refreshMe();
    }).then(function () { return self.reload(); }).then(function () {
      self.announce(_("You are logged out."));
    });
  };

  Thread.prototype.buildForm = function () {
    var self = this;
    var me = self.me || {};
    var author = load(STORE + ":author", {});
    self.rememberId = "tk-remember-" + Math.random().toString(36).slice(2, 8);
    var bodyId = "tk-body-" + Math.random().toString(36).slice(2, 8);
    var area = el("textarea", { id: bodyId, name: "body", rows: "6", required: true });
    var box = el("div", { "class": "tk-error", role: "alert", tabindex: "-1", hidden: true });
    self.formTitle = el("h3", { "class": "tk-respond-title", text: _("Leave a Reply") });
    self.cancelReply = button(_("Cancel reply"), function () { self.endReply(true); },
      { "class": "tk-link-button tk-cancel-reply", hidden: true });
    var who;
    if (me.logged_in && me.identity) {
      // The translated sentence around the name, split where the name goes.
      var asWho = _("You are commenting as %(name)s", { name: "\u0000" }).split("\u0000");
      var choices = el("div", { "class": "tk-change", hidden: true }, [self.logins()]);
      who = el("p", { "class": "tk-as" }, [
        asWho[0], el("strong", { text: me.identity.name }), asWho[1] + " (",
        button(_("Log out"), function () { self.logout(); }, { "class": "tk-link-button" }), " / ",
        button(_("Change"), function () {
          choices.hidden = !choices.hidden;
          var first = choices.querySelector("button");
          if (first) { first.focus(); }
        }, { "class": "tk-link-button" }), ")", choices
      ]);
    } else {
      var forms = (me.providers || []).some(function (p) { return p.kind === "form"; });
      var logins = self.logins();
      who = el("div", { "class": "tk-who" }, [
        logins ? el("p", { "class": "tk-login-intro", text: _("Log in to comment, or fill in your details below:") }) : null,
        logins,
        forms ? el("fieldset", { "class": "tk-identity" }, [
          el("legend", { text: _("Your details") }),
          field("name", _("Name"), "text", author.name),
          field("email", _("Email"), "email", author.email, _("Never shown.")),
          field("url", _("Website"), "url", author.url),
          // Off by default (as in WordPress): the details are kept only while ticked.
          el("p", { "class": "tk-field tk-field-notify tk-remember" }, [
            el("input", { id: self.rememberId, type: "checkbox", "data-tk-remember": true,
              checked: author.name !== undefined, on: { change: function (event) {
                if (!event.target.checked) { save(STORE + ":author", null); }
              } } }),
            el("label", { "for": self.rememberId,
              text: _("Remember my details in this browser for next time") })
          ])
        ]) : null
      ]);
    }
    var notifyId = "tk-notify-thread-" + Math.random().toString(36).slice(2, 8);
    // Off by default, both: an email about a reply to this comment, or about
    // every new comment here (each needs an email address).
    var notifyThread = el("div", { "class": "tk-notify" }, [
      el("p", { "class": "tk-field tk-field-notify" }, [
        el("input", { id: notifyId + "-replies", type: "checkbox", name: "notify_replies" }),
        el("label", { "for": notifyId + "-replies", text: _("Email me when someone replies") })
      ]),
      el("p", { "class": "tk-field tk-field-notify" }, [
        el("input", { id: notifyId, type: "checkbox", name: "notify_thread" }),
        el("label", { "for": notifyId, text: _("Notify me of new comments on this post") })
      ])
    ]);
    var form = el("form", { "class": "tk-respond-form", novalidate: true }, [
      el("p", { "class": "tk-field" }, [el("label", { "for": bodyId, text: _("Comment") }), area]),
      who, notifyThread, box,
      el("div", { "class": "tk-buttons" }, [el("button", { type: "submit", "class": "tk-submit", text: _("Post Comment") })])
    ]);
    area.addEventListener("input", function () { self.formKey = freshKey(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit(form, box);
    });
    var respond = el("section", { "class": "tk-respond" }, [
      el("div", { "class": "tk-respond-head" }, [self.formTitle, self.cancelReply]), form
    ]);
    if (self.respond) { self.respond.remove(); }
    self.respondHome.appendChild(respond);
    self.respond = respond;
    self.form = form;
    self.parentId = null;
  };

  Thread.prototype.startReply = function (c, article) {
    this.parentId = c.id;
    this.formTitle.textContent = _("Reply to %(name)s", { name: c.author.name });
    this.cancelReply.hidden = false;
    article.after(this.respond);
    this.replyButton = article.querySelector(".tk-actions .tk-link-button");
    this.form.elements.namedItem("body").focus();
  };

  // Cancel puts focus back on the Reply button it came from (as on the server-rendered
  // pages), else on the comment box where the form went home.
  Thread.prototype.endReply = function (focusBack) {
    var back = this.replyButton;
    this.parentId = null;
    this.replyButton = null;
    this.formTitle.textContent = _("Leave a Reply");
    this.cancelReply.hidden = true;
    this.respondHome.appendChild(this.respond);
    if (!focusBack) { return; }
    if (back && back.isConnected) { back.focus(); } else { this.form.elements.namedItem("body").focus(); }
  };

  Thread.prototype.submit = function (form, box) {
    var self = this;
    var value = function (name) {
      var input = form.elements.namedItem(name);
      return input ? input.value : "";
    };
    var data = { body: value("body") };
    data.notify_thread = !!(form.elements.namedItem("notify_thread") || {}).checked;
    data.notify_replies = !!(form.elements.namedItem("notify_replies") || {}).checked;
    var path = self.path() + "/comments";
    if (self.parentId) { path = "/api/comments/" + self.parentId + "/replies"; }
    if (form.elements.namedItem("name")) {
      data.name = value("name");
      data.email = value("email");
      data.url = value("url");
    }
    var submit = form.querySelector(".tk-submit");
    submit.disabled = true;
    // The same key on a retry: a post whose answer was lost is stored once.
    api("POST", path, data, { "Idempotency-Key": self.formKey }).then(function (answer) {
      submit.disabled = false;
      if (!answer.ok) {
        if (answer.status !== 0) { self.formKey = freshKey(); }
        showError(box, answer, form);
        box.focus();
        return;
      }
      self.formKey = freshKey();
      box.hidden = true;
      var remember = form.querySelector("[data-tk-remember]");
      if ("name" in data) {
        save(STORE + ":author", remember && remember.checked ? { name: data.name, email: data.email, url: data.url } : null);
      }
      rememberMine(answer.data);
      form.elements.namedItem("body").value = "";
      var parentId = self.parentId;
      self.endReply(false);
      self.insert(answer.data, parentId);
    });
  };

  Thread.prototype.insert = function (comment, parentId) {
    var node = Object.assign({ replies: [], more_replies: 0, display_depth: comment.depth }, comment);
    var item = this.item(node);
    var parent = parentId && this.root.querySelector("[data-tk-item='" + Number(parentId) + "'] > .tk-replies");
    if (parent) {
      parent.appendChild(item);
    } else if (this.sort === "newest") {
      this.list.insertBefore(item, this.list.firstChild);
    } else {
      this.list.appendChild(item);
    }
    if (comment.status === "approved") { this.setCount((this.count || 0) + 1); }
    var article = item.querySelector("article");
    article.focus();
    this.announce(comment.status === "pending" ? _("Your comment is awaiting moderation.") : _("Your comment was posted."));
  };

  /* -------------------------------------------------------- count widget */

  function counts() {
    var links = document.querySelectorAll("[data-threadkit-count]");
    if (!links.length) { return; }
    var keys = [];
    Array.prototype.forEach.call(links, function (link) {
      var key = link.getAttribute("data-threadkit-count");
      if (keys.indexOf(key) < 0) { keys.push(key); }
    });
    var query = keys.map(function (key) { return "thread=" + encodeURIComponent(key); }).join("&");
    // No Authorization header: a simple GET, so the browser sends no preflight.
    fetch(BASE + "/api/counts?" + query, { credentials: "omit", mode: "cors" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.counts) { return; }
        Array.prototype.forEach.call(links, function (link) {
          var count = data.counts[link.getAttribute("data-threadkit-count")];
          if (typeof count === "number") { link.textContent = plural(count); }
        });
      }, function () { /* the links keep their own text */ });
  }

  /* ------------------------------------------------------------- start up */

  function stylesheet() {
    if (script.getAttribute("data-css") === "false") { return; }
    var href = BASE + "/embed.css";
    if (document.querySelector("link[href='" + href + "']")) { return; }
    document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
  }

  function container() {
    var named = script.getAttribute("data-container");
    var found = named ? document.getElementById(named) : document.getElementById("threadkit-thread");
    if (found) { return found; }
    var made = el("div", { id: "threadkit-thread" });
    script.after(made);
    return made;
  }

  function start() {
    stylesheet();
    loadCatalog().then(begin);
  }

  function begin() {
    counts();
    var key = script.getAttribute("data-thread");
    if (!key) { return; }
    var limit = function (name, param) {
      var value = script.getAttribute(name);
      return value && /^[1-9][0-9]{0,4}$/.test(value) ? "&" + param + "=" + value : "";
    };
    var thread = new Thread(container(), key, script.getAttribute("data-sort") || "oldest", {
      top: limit("data-limit", "limit"), total: limit("data-total-limit", "total_limit")
    });
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.origin !== ORIGIN || !data || data.type !== "threadkit:login" ||
          typeof data.token !== "string") { return; }
      setToken(data.token);
      thread.refreshMe().then(function () { return thread.reload(); }).then(function () {
        thread.announce(_("You are logged in."));
        thread.form.elements.namedItem("body").focus();
      });
    });
    thread.start();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
