// Orders pages: each countdown (data-due, an ISO time) counts down every second; a Reject button
// opens the one reject <dialog> for its order (data-reject-order), its reason field focused.
// No inline script: CSP.
(function () {
  'use strict';
  function format(seconds) {
    if (seconds <= 0) return 'timed out';
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (h > 0) return h + ' h ' + String(m).padStart(2, '0') + ' min';
    if (m > 0) return m + ' min ' + String(s).padStart(2, '0') + ' s';
    return s + ' s';
  }
  var countdowns = document.querySelectorAll('.countdown[data-due]');
  function tick() {
    var now = Date.now();
    countdowns.forEach(function (el) {
      var due = Date.parse(el.getAttribute('data-due'));
      if (isNaN(due)) return;
      var text = format(Math.max(0, Math.floor((due - now) / 1000)));
      if (el.textContent !== text) el.textContent = text;
    });
  }
  if (countdowns.length > 0) { tick(); setInterval(tick, 1000); }

  var dialog = document.getElementById('reject-dialog');
  var form = document.getElementById('reject-form');
  if (!dialog || !form || typeof dialog.showModal !== 'function') return;
  var opener = null;
  document.querySelectorAll('[data-reject-order]').forEach(function (button) {
    button.addEventListener('click', function () {
      var id = button.getAttribute('data-reject-order');
      form.setAttribute('action', '/orders/' + encodeURIComponent(id) + '/reject');
      var name = document.getElementById('reject-order-id');
      if (name) name.textContent = id;
      opener = button;
      dialog.showModal();
      var reason = document.getElementById('reject-reason');
      if (reason) reason.focus();
    });
  });
  var close = document.getElementById('reject-close');
  if (close) close.addEventListener('click', function () { dialog.close(); if (opener) opener.focus(); });
})();
