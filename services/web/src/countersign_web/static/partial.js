// Partial updates, with no build chain and nothing to download: a form marked
// data-partial="<id>" is sent with fetch, and only the element with that id is replaced by
// the same element of the answer (the search results, the page's main part); the address bar
// follows a search or a redirect. Without JavaScript the same form posts as a plain form, and
// the server answers both alike: forms carry their CSRF token and the browser its Origin.
(function () {
  "use strict";

  function sent(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    return new URLSearchParams(data);
  }

  async function swap(form, event) {
    const target = form.dataset.partial;
    const region = document.getElementById(target);
    if (!region || !window.fetch || !window.DOMParser) return;
    event.preventDefault();
    const method = (form.getAttribute("method") || "get").toUpperCase();
    const body = sent(form, event.submitter);
    const action = form.getAttribute("action") || window.location.pathname;
    const url = method === "GET" ? action.split("?")[0] + "?" + body.toString() : action;
    const init = { method, credentials: "same-origin", headers: { "X-Partial": target } };
    if (method !== "GET") init.body = body;
    region.setAttribute("aria-busy", "true");
    try {
      const answer = await fetch(url, init);
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const fresh = page.getElementById(target);
      if (!fresh) {
        window.location.assign(answer.url);
        return;
      }
      region.replaceWith(fresh);
      document.title = page.title;
      if (answer.url !== window.location.href) window.history.pushState({}, "", answer.url);
      fresh.setAttribute("tabindex", "-1");
      fresh.focus();
    } catch (failed) {
      region.removeAttribute("aria-busy");
      form.submit();
    }
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.partial) swap(form, event);
  });
  window.addEventListener("popstate", function () {
    window.location.reload();
  });
})();
