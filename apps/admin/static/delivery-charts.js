// The delivery figures over the last hour: small SVG line charts drawn from the console's
// /delivery/series.json (samples every DELIVERY_SAMPLE_SECONDS), redrawn at each new sample.
// Each chart is an <svg role="img"> with a title and a description naming its latest value;
// the table on the page has the same figures. Stops when the session ends. No inline script or style: CSP.
(function () {
  'use strict';
  var root = document.getElementById('delivery-charts');
  if (!root) return;
  var NS = 'http://www.w3.org/2000/svg';
  var url = root.getAttribute('data-series-url');
  var refreshMs = Math.max(5000, Number(root.getAttribute('data-refresh-ms')) || 15000);
  var CHARTS = [
    { key: 'delivered', title: 'Delivered (total)' },
    { key: 'failed', title: 'Failed (total)' },
    { key: 'pending', title: 'Pending now' },
    { key: 'deadLettered', title: 'Dead letters waiting' },
    { key: 'outboxPending', title: 'Outbox not yet published' },
  ];
  var W = 300, H = 90, PAD = 4;

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function chart(spec, samples, index) {
    var values = samples.map(function (s) { return Number(s[spec.key]) || 0; });
    var last = values.length ? values[values.length - 1] : 0;
    var max = Math.max.apply(null, values.concat([1]));
    var min = Math.min.apply(null, values.concat([0]));
    var t0 = samples.length ? Date.parse(samples[0].at) : 0;
    var t1 = samples.length ? Date.parse(samples[samples.length - 1].at) : 1;
    var span = Math.max(1, t1 - t0);
    var points = samples.map(function (s, i) {
      var x = samples.length === 1 ? W / 2 : PAD + ((Date.parse(s.at) - t0) / span) * (W - 2 * PAD);
      var y = H - PAD - ((values[i] - min) / Math.max(1, max - min)) * (H - 2 * PAD);
      return x.toFixed(1) + ',' + y.toFixed(1);
    }).join(' ');
    var titleId = 'chart-title-' + index, descId = 'chart-desc-' + index;
    var figure = document.createElement('figure');
    figure.className = 'chart';
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-labelledby': titleId + ' ' + descId, class: 'chart-svg' });
    svg.appendChild(el('title', { id: titleId }, spec.title));
    svg.appendChild(el('desc', { id: descId }, samples.length + ' samples over the last hour; now ' + last + ', highest ' + max + '.'));
    svg.appendChild(el('line', { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: 'chart-axis' }));
    if (samples.length) svg.appendChild(el('polyline', { points: points, class: 'chart-line chart-line--' + spec.key }));
    if (samples.length === 1) {
      var xy = points.split(',');
      svg.appendChild(el('circle', { cx: xy[0], cy: xy[1], r: 3, class: 'chart-dot' }));
    }
    figure.appendChild(svg);
    var caption = document.createElement('figcaption');
    caption.textContent = spec.title + ': ' + last;
    figure.appendChild(caption);
    return figure;
  }

  function draw(answer) {
    var samples = (answer && answer.samples) || [];
    var frag = document.createDocumentFragment();
    CHARTS.forEach(function (spec, i) { frag.appendChild(chart(spec, samples, i)); });
    while (root.firstChild) root.removeChild(root.firstChild);
    root.appendChild(frag);
  }

  function load() {
    // A poll: it does not keep the session alive; a session that ended stops it, said in words.
    window.holdfast.poll(url)
      .then(function (answer) {
        if (answer.stop) return;
        if (answer.body) draw(answer.body);
        setTimeout(load, refreshMs);
      })
      .catch(function () { setTimeout(load, refreshMs); });
  }
  load();
})();
