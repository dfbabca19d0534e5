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

  var stoppedBy = null;
  var STOP_WORDS = {
    401: 'Your session has ended, so this page stopped updating. Sign in again to go on.',
    403: 'Your account no longer has the role this page needs, so it stopped updating.',
  };

  /**
   * A page's own timer asking for fresh data (seat map, progress panel, charts). The header tells
   * the console this is not a person's activity: polling never keeps a session alive. On 401 or
   * 403 every poller of the page stops and the alert region says why, in words, once. Resolves
   * { stop: true } then, else { stop: false, body } (body undefined when the answer was not ok).
   */
  function poll(url) {
    if (stoppedBy) return Promise.resolve({ stop: true });
    return fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json', 'x-holdfast-poll': '1' } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          if (!stoppedBy) {
            stoppedBy = response.status;
            flash(STOP_WORDS[response.status], 'error');
            if (response.status === 401) {
              var link = document.createElement('a');
              link.href = '/signin?next=' + encodeURIComponent(window.location.pathname + window.location.search);
              link.textContent = 'Sign in again';
              var p = document.querySelector('#flash p');
              if (p) { p.appendChild(document.createTextNode(' ')); p.appendChild(link); }
            }
          }
          return { stop: true };
        }
        if (!response.ok) return { stop: false };
        return response.json().then(function (body) { return { stop: false, body: body }; });
      });
  }

  /** A time as the server writes every time (domain/format.ts formatTime): "02 Dec 2026, 16:43:21 UTC", never the browser's locale. */
  var utc = new Intl.DateTimeFormat('en-GB', {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC', timeZoneName: 'short',
  });
  function formatTime(date) { return utc.format(date); }

  window.holdfast = { csrfToken: csrfToken, fetchJson: fetchJson, flash: flash, poll: poll, formatTime: formatTime };
})();
