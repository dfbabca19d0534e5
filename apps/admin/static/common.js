/*
 * Shared by every page (loaded with defer): JSON calls that carry the session's CSRF token and put
 * a refusal in words into the page's alert region. No framework; pages' own scripts use
 * window.holdfast.
 */
(function () {
  'use strict';
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = meta ? meta.getAttribute('content') : '';

  /** Shows a sentence in the page's alert region (role=alert: screen readers announce it). */
  function flash(text, kind) {
    var region = document.getElementById('flash');
    if (!region) return;
    region.textContent = '';
    if (!text) return;
    var p = document.createElement('p');
    p.className = 'flash flash-' + (kind || 'error');
    p.textContent = text;
    region.appendChild(p);
  }

  /**
   * fetch for the console's JSON routes: same origin, the CSRF header on state-changing methods;
   * resolves { ok, status, body }. A signed-out or expired session goes to the sign-in page.
   */
  function fetchJson(url, options) {
    options = options || {};
    var method = (options.method || 'GET').toUpperCase();
    var headers = { accept: 'application/json' };
    if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, {
      method: method, headers: headers, credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }).then(function (response) {
      return response.text().then(function (text) {
        var body;
        try { body = text ? JSON.parse(text) : undefined; } catch (e) { body = text; }
        if (response.status === 401) {
          var expired = body && body.code === 'SESSION_EXPIRED';
          window.location.assign('/signin?' + (expired ? 'expired=1&' : '') + 'next=' + encodeURIComponent(window.location.pathname + window.location.search));
        }
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  window.holdfast = { csrfToken: csrfToken, fetchJson: fetchJson, flash: flash };
})();
