// The cancel dialog (a <dialog>, its first field focused) and the live cancellation progress panel,
// which polls /shows/:id/cancellation.json until the console says it is done. No inline script: CSP.
(function () {
  'use strict';
  var open = document.getElementById('cancel-open');
  var dialog = document.getElementById('cancel-dialog');
  if (open && dialog && typeof dialog.showModal === 'function') {
    open.addEventListener('click', function () {
      dialog.showModal();
      var first = dialog.querySelector('textarea, input:not([type=hidden])');
      if (first) first.focus();
    });
    var close = document.getElementById('cancel-close');
    if (close) close.addEventListener('click', function () { dialog.close(); open.focus(); });
  }

  var panel = document.getElementById('cancel-progress');
  if (!panel || panel.getAttribute('data-done') === 'true') return;
  var url = panel.getAttribute('data-progress-url');
  var pollMs = Number(panel.getAttribute('data-poll-ms')) || 1000;
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }
  function tick() {
    // A poll: it does not keep the session alive; a session that ended stops it, said in words.
    window.holdfast.poll(url)
      .then(function (answer) {
        if (answer.stop) return;
        var p = answer.body;
        if (p && p.progress) {
          var g = p.progress;
          set('progress-sms-sent', g.sms.sent); set('progress-sms-failed', g.sms.failed);
          set('progress-email-sent', g.email.sent); set('progress-email-failed', g.email.failed);
          set('progress-refunds-processed', g.refunds.processed); set('progress-refunds-failed', g.refunds.failed);
          set('progress-refunds-review', g.refunds.manualReview); set('progress-state', g.state);
          if (g.done) { panel.setAttribute('data-done', 'true'); return; }
        }
        setTimeout(tick, pollMs);
      })
      .catch(function () { setTimeout(tick, pollMs); });
  }
  setTimeout(tick, pollMs);
})();
