// The live seat map: polls the console's /shows/:id/seats.json every data-poll-ms and updates each
// seat's class, visible mark and accessible name in place (no reload). No inline script: CSP.
(function () {
  'use strict';
  var map = document.getElementById('seat-map');
  if (!map) return;
  var url = map.getAttribute('data-seats-url');
  var pollMs = Number(map.getAttribute('data-poll-ms')) || 500;
  var MARKS = { AVAILABLE: 'A', HELD: 'H', SOLD: 'S' };
  var WORDS = { AVAILABLE: 'available', HELD: 'held', SOLD: 'sold' };
  var seats = {};
  Array.prototype.forEach.call(map.querySelectorAll('[data-seat-id]'), function (el) { seats[el.getAttribute('data-seat-id')] = el; });
  var counts = {
    SOLD: document.getElementById('count-sold'), HELD: document.getElementById('count-held'), AVAILABLE: document.getElementById('count-available'),
  };
  var stamp = document.getElementById('seat-map-updated');
  var stopped = false;

  function apply(answer) {
    answer.seats.forEach(function (s) {
      var el = seats[s.id];
      if (!el || el.getAttribute('data-status') === s.status) return;
      el.setAttribute('data-status', s.status);
      el.className = 'seat seat--' + s.status.toLowerCase();
      el.setAttribute('aria-label', el.getAttribute('data-label') + ' ' + WORDS[s.status]);
      el.setAttribute('title', el.getAttribute('data-label') + ' ' + WORDS[s.status]);
      var mark = el.querySelector('.seat-mark');
      if (mark) mark.textContent = MARKS[s.status];
    });
    if (answer.counts) {
      if (counts.SOLD) counts.SOLD.textContent = String(answer.counts.sold);
      if (counts.HELD) counts.HELD.textContent = String(answer.counts.held);
      if (counts.AVAILABLE) counts.AVAILABLE.textContent = String(answer.counts.available);
    }
    if (stamp) stamp.textContent = window.holdfast.formatTime(new Date());
  }

  function tick() {
    if (stopped) return;
    // A poll: it does not keep the session alive, and a session that ended stops it (said in the alert region).
    window.holdfast.poll(url)
      .then(function (answer) {
        if (answer.stop) { stopped = true; return; }
        if (answer.body) apply(answer.body);
      })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { if (!stopped) setTimeout(tick, pollMs); });
  }
  setTimeout(tick, pollMs);
})();
