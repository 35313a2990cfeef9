// losswatch dashboard: polls /api/overview and draws one uPlot chart per model (small multiples).
// Model names and other data are only ever set as text (textContent), never as HTML.
(() => {
  'use strict';
  const COLORS = ['#2563eb', '#9333ea', '#ea580c', '#0891b2', '#65a30d', '#db2777', '#854d0e', '#4b5563'];
  // the estimate of a version (CONTRACT §9) in a hue of its own, beside its realized loss in COLORS
  const ESTIMATE_COLORS = ['#d97706', '#0d9488', '#be123c', '#7c3aed', '#ca8a04', '#0369a1', '#15803d', '#9f1239'];
  const FIRE = '#d1343a';
  const OK = '#2e9e5b';
  const state = { range: 'PT6H', filter: '', firingOnly: false, data: null, refreshMs: 5000, timer: null,
    cards: new Map(), expanded: new Set(), renders: 0 };
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  // every time shown is UTC on a 24-hour clock, whatever the browser's locale
  const num = (x) => x == null ? '–' : (Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(4)).toString());
  const iso = (ms) => new Date(ms).toISOString(); // 2025-11-24T20:08:30.000Z
  const utc = (ms) => ms == null ? '–' : iso(ms).replace('T', ' ').slice(0, 19) + ' UTC';
  const hhmm = (ms) => iso(ms).slice(11, 16);
  const hhmmss = (ms) => iso(ms).slice(11, 19);
  const short = (ms) => ms == null ? '–' : iso(ms).slice(5, 16).replace('T', ' ');
  // a window's start–end: with seconds unless both fall on whole minutes (so a 30 s window is not "20:08–20:08")
  const span = (start, end) => {
    const f = start % 60000 === 0 && end % 60000 === 0 ? hhmm : hhmmss;
    return f(start) + '–' + f(end);
  };
  const PSI_HELP = 'population stability index of the predictions against the version\'s reference: '
    + 'about 0 unchanged, 0.1 a moderate shift, above 0.25 a large one';

  // losswatch.http.token: opened once as /?token=…, the token is kept in this tab's sessionStorage,
  // taken out of the address bar, and sent as a bearer token on every request for data
  const TOKEN_KEY = 'losswatch.token';
  function takeTokenFromUrl() {
    const url = new URL(window.location.href);
    const token = url.searchParams.get('token');
    if (token === null) return;
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  function authHeaders() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  async function poll() {
    clearTimeout(state.timer);
    try {
      const response = await fetch('/api/overview?range=' + encodeURIComponent(state.range),
        { cache: 'no-store', headers: authHeaders() });
      if (response.status === 401) {
        status('this losswatch needs its token (losswatch.http.token): open this page once as /?token=…', true);
        return;
      }
      if (!response.ok) throw new Error('HTTP ' + response.status);
      state.data = await response.json();
      state.refreshMs = Math.max(1000, state.data.refresh_ms || 5000);
      render();
    } catch (e) {
      status('cannot reach losswatch (' + e.message + '); retrying', true);
    } finally {
      state.timer = setTimeout(poll, state.refreshMs);
    }
  }

  function status(text, down) {
    const s = $('status');
    s.textContent = text;
    s.classList.toggle('down', !!down);
  }

  function render() {
    const d = state.data;
    const ready = d.streams_state === 'RUNNING';
    status('streams ' + d.streams_state + ' · history ' + (d.history_caught_up ? 'loaded' : 'loading…')
      + ' · updated ' + hhmmss(Date.now()) + ' UTC · every ' + (state.refreshMs / 1000) + ' s', !ready);
    const firing = d.models.filter((m) => m.firing);
    const dlqTotal = Object.values(d.dead_letters).reduce((a, b) => a + b, 0);
    $('tile-models').textContent = d.models.length;
    $('tile-firing').textContent = firing.length;
    $('tile-firing').classList.toggle('fire', firing.length > 0);
    $('tile-dlq').textContent = dlqTotal;
    $('tile-latest').textContent = utc(d.latest_window_end);
    renderModels(d.models);
    renderDeadLetters(d.dead_letters);
    renderAlerts(d.recent_alerts);
    document.body.dataset.renders = String(++state.renders);
  }

  function renderModels(models) {
    const grid = $('models');
    const filter = state.filter.toLowerCase();
    const sorted = [...models].sort((a, b) => (b.firing - a.firing) || a.model.localeCompare(b.model));
    const seen = new Set();
    for (const m of sorted) {
      seen.add(m.model);
      let card = state.cards.get(m.model);
      if (!card) {
        card = makeCard(m.model);
        state.cards.set(m.model, card);
      }
      grid.append(card.root); // keeps the sorted order
      card.root.hidden = (filter && !m.model.toLowerCase().includes(filter)) || (state.firingOnly && !m.firing);
      updateCard(card, m);
    }
    for (const [name, card] of state.cards) {
      if (!seen.has(name)) {
        if (card.chart) card.chart.destroy();
        card.root.remove();
        state.cards.delete(name);
      }
    }
    if (models.length === 0 && !grid.querySelector('.empty')) {
      grid.append(el('p', { class: 'empty' }, 'No model seen yet: models show here from their first window, '
        + 'estimate, alert or dead letter.'));
    } else if (models.length > 0) {
      grid.querySelectorAll(':scope > .empty').forEach((e) => e.remove());
    }
  }

  function makeCard(model) {
    const title = el('h3', { title: 'Click to enlarge' }, model);
    const badge = el('span', { class: 'badge' }, 'ok');
    const latest = el('div', { class: 'latest' });
    const chart = el('div', { class: 'chart' });
    const root = el('article', { class: 'card', 'data-model': model }, el('header', {}, title, badge), latest, chart);
    const card = { model, root, badge, latest, chartEl: chart, chart: null, key: null, pad: 60 };
    title.addEventListener('click', () => {
      if (state.expanded.has(model)) state.expanded.delete(model); else state.expanded.add(model);
      root.classList.toggle('expanded', state.expanded.has(model));
      resize(card);
    });
    return card;
  }

  function updateCard(card, m) {
    card.root.classList.toggle('firing', m.firing);
    // several rules can fire at once: name them all
    const rules = [...new Set(m.versions.flatMap((v) => v.firing_rules || []))].sort();
    const firingSegments = m.versions.flatMap((v) => (v.segments || []).filter((s) => s.firing));
    if (firingSegments.length) rules.push(firingSegments.length === 1 ? 'segment ' + segmentLabel(firingSegments[0])
      : firingSegments.length + ' segments');
    card.badge.textContent = m.firing ? 'FIRING' + (rules.length ? ': ' + rules.join(', ') : '') : 'ok';
    card.badge.classList.toggle('firing', m.firing);
    const lines = m.versions.map((v, i) => {
      const w = v.latest;
      const p = v.latest_predictions;
      const label = v.model_version === '' ? '(no version)' : v.model_version;
      const line = el('div', { class: 'version' }, el('span', { style: 'color:' + COLORS[i % COLORS.length] }, '■ '), label + ': ');
      if (w) {
        line.append('latest window ', el('b', {}, span(w.window_start, w.window_end)),
          ' mean ', el('b', {}, num(w.mean_loss)), ' count ', el('b', {}, w.count),
          w.unlabelled ? ' unlabelled ' + w.unlabelled : '', ' · ' + (w.loss_function || ''));
      } else {
        line.append(el('span', { class: 'pending' }, 'no final window yet'),
          p ? ' (labels pending)' : '');
      }
      if (p) {
        const est = el('div', { class: 'estimate' }, el('span', { style: 'color:' + ESTIMATE_COLORS[i % ESTIMATE_COLORS.length] }, '┅ '),
          'estimated ', el('b', {}, num(p.estimated_loss)));
        if (p.estimated_loss_low != null && p.estimated_loss_high != null) {
          est.append(' (' + num(p.estimated_loss_low) + '–' + num(p.estimated_loss_high) + ')');
        }
        est.append(' for ', el('b', {}, span(p.window_start, p.window_end)), ' · ',
          el('span', { class: 'psi', title: PSI_HELP }, 'psi ', el('b', {}, num(p.psi))),
          ' · ' + p.predictions + ' predictions, ' + p.labelled + ' labelled');
        if (v.windows_awaiting_labels > 0) est.append(' · ' + v.windows_awaiting_labels + ' windows awaiting labels');
        line.append(est);
      }
      return line;
    });
    m.versions.forEach((v) => {
      if ((v.segments || []).length) lines.push(segmentTable(card, m, v));
    });
    const dead = Object.entries(m.dead_letters || {});
    if (dead.length) {
      lines.push(el('div', { class: 'dead' }, 'dead letters naming this model: '
        + dead.map(([reason, n]) => reason + ' ' + n).join(', ')));
    }
    card.latest.replaceChildren(...lines);
    if (card.root.hidden) return;
    const { data, series, bands, pad, key } = chartData(m);
    card.pad = pad;
    const hasPoints = data[0].length > 0;
    if (!hasPoints) {
      if (card.chart) { card.chart.destroy(); card.chart = null; card.key = null; }
      card.chartEl.replaceChildren(el('p', { class: 'empty' }, 'no window in this range'));
      return;
    }
    if (card.chart && card.key === key) {
      card.chart.setData(data);
      return;
    }
    if (card.chart) card.chart.destroy();
    card.chartEl.replaceChildren();
    card.key = key;
    card.chart = new uPlot(chartOptions(card, series, bands), data, card.chartEl);
  }

  const SEGMENTS_SHOWN = 5;
  const segmentLabel = (s) => s.field + '=' + (s.value === '' ? '(missing)' : s.value);

  // a version's segments (CONTRACT §11), worst first as the API sorts them: the first few, and a button
  // that shows the rest (remembered per card and version across refreshes)
  function segmentTable(card, m, v) {
    const key = v.model_version;
    card.segmentsOpen = card.segmentsOpen || new Set();
    const open = card.segmentsOpen.has(key);
    const shown = open ? v.segments : v.segments.slice(0, SEGMENTS_SHOWN);
    const rows = shown.map((s) => {
      const w = s.latest;
      return el('tr', { class: 'segment' + (s.firing ? ' firing' : ''), 'data-segment': s.field + ':' + s.value },
        el('td', {}, segmentLabel(s)),
        el('td', { class: 'num' }, w ? num(w.mean_loss) : '–'),
        el('td', { class: 'num' }, w ? w.count : '–'),
        el('td', { class: s.firing ? 'FIRING' : '' }, s.firing ? 'FIRING: ' + s.firing_rules.join(', ') : ''));
    });
    const title = (m.versions.length > 1 ? (v.model_version || '(no version)') + ' ' : '') + 'segments, worst first';
    const table = el('table', { class: 'segments' },
      el('thead', {}, el('tr', {}, el('th', {}, title), el('th', { class: 'num' }, 'mean loss'),
        el('th', { class: 'num' }, 'count'), el('th', {}, ''))),
      el('tbody', {}, ...rows));
    const box = el('div', { class: 'segments' }, table);
    if (v.segments.length > SEGMENTS_SHOWN) {
      const more = el('button', { type: 'button', class: 'more-segments' },
        open ? 'show the worst ' + SEGMENTS_SHOWN : 'show all ' + v.segments.length + ' segments');
      more.addEventListener('click', () => {
        if (open) card.segmentsOpen.delete(key); else card.segmentsOpen.add(key);
        updateCard(card, m);
      });
      box.append(more);
    }
    return box;
  }

  // aligned data for uPlot: x = window starts (seconds); per version its realized mean loss, its
  // estimate before labels (CONTRACT §9) with the 95% interval as a band, and with alerts its
  // threshold and baseline (stepped, as carried by the latest alert) and markers
  function chartData(m) {
    const xs = new Set();
    let pad = Infinity; // the shortest window, in seconds: how far a lone window's axis reaches either side
    for (const v of m.versions) {
      for (const w of [...v.windows, ...v.predictions]) {
        xs.add(w[0] / 1000);
        pad = Math.min(pad, (w[1] - w[0]) / 1000);
      }
    }
    const modelAlerts = m.alerts.filter((a) => !a.segment); // a segment's alerts are in its row, not on the chart
    for (const a of modelAlerts) xs.add(a.window_start / 1000);
    const x = [...xs].sort((a, b) => a - b);
    const data = [x];
    const series = [];
    const bands = [];
    m.versions.forEach((v, i) => {
      const color = COLORS[i % COLORS.length];
      const name = v.model_version === '' ? 'mean loss' : v.model_version;
      const prefix = m.versions.length > 1 ? name + ' ' : '';
      // the estimate from the prediction-metrics record, else the one the final window carries
      const estimates = new Map(v.windows.filter((w) => w[4] != null).map((w) => [w[0] / 1000, [w[4], null, null]]));
      for (const p of v.predictions) if (p[3] != null) estimates.set(p[0] / 1000, [p[3], p[4], p[5]]);
      const means = new Map(v.windows.map((w) => [w[0] / 1000, w[3]]));
      data.push(x.map((t) => means.has(t) ? means.get(t) : null));
      series.push({ label: estimates.size ? prefix + 'realized' : name, stroke: color, width: 2, spanGaps: true,
        value: (u, y) => num(y) });
      if (estimates.size) {
        const estColor = ESTIMATE_COLORS[i % ESTIMATE_COLORS.length];
        const at = (k) => x.map((t) => estimates.has(t) ? estimates.get(t)[k] : null);
        data.push(at(0));
        series.push({ label: prefix + 'estimated (before labels)', stroke: estColor, width: 2, dash: [7, 4],
          spanGaps: true, value: (u, y) => num(y) });
        if (x.some((t) => estimates.has(t) && estimates.get(t)[1] != null)) {
          // the interval: two thin lines with the band between them, left out of the legend (style.css)
          data.push(at(2), at(1));
          const high = series.length + 1; // uPlot's series index: 0 is x
          for (const bound of ['high', 'low']) {
            series.push({ label: prefix + 'estimate ' + bound, class: 'interval', stroke: estColor + '66', width: 1,
              spanGaps: true, points: { show: false }, value: (u, y) => num(y) });
          }
          bands.push({ series: [high, high + 1], fill: estColor + '22' });
        }
      }
      // prediction_drift alerts are about psi, not loss: no threshold, baseline or marker on the loss axis
      const alerts = modelAlerts.filter((a) => (a.model_version || '') === v.model_version && a.rule !== 'prediction_drift')
        .sort((a, b) => a.window_start - b.window_start);
      if (alerts.length === 0) return;
      const held = (field) => x.map((t) => {
        let value = null;
        for (const a of alerts) if (a.window_start / 1000 <= t && a[field] != null) value = a[field];
        return value;
      });
      const marker = (status) => x.map((t) => {
        const a = alerts.find((al) => al.status === status && al.window_start / 1000 === t);
        return a ? a.mean_loss : null;
      });
      const stepped = uPlot.paths.stepped({ align: 1 });
      data.push(held('threshold'));
      series.push({ label: prefix + 'threshold', stroke: FIRE, width: 1, dash: [6, 4], paths: stepped, points: { show: false }, value: (u, y) => num(y) });
      data.push(held('baseline'));
      series.push({ label: prefix + 'baseline', stroke: color, width: 1, dash: [2, 3], paths: stepped, points: { show: false }, value: (u, y) => num(y) });
      for (const [status, name, color] of [['FIRING', 'fired', FIRE], ['RESOLVED', 'resolved', OK]]) {
        if (!alerts.some((a) => a.status === status)) continue;
        data.push(marker(status));
        series.push({ label: prefix + name, stroke: color, paths: () => null,
          points: { show: true, size: 11, fill: color, stroke: '#fff', width: 1 }, value: (u, y) => num(y) });
      }
    });
    return { data, series, bands, pad: Number.isFinite(pad) ? pad : 60, key: series.map((s) => s.label).join('|') };
  }

  function chartOptions(card, series, bands) {
    return {
      ...size(card),
      // room on the right for the half of the last tick label that lies past the plot
      padding: [null, 28, null, null],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      scales: {
        // one window alone: uPlot would stretch the axis over a day; show the window's own neighbourhood
        x: { time: true, range: (u, min, max) => u.data[0].length === 1 ? [min - card.pad, min + card.pad] : [min, max] },
        y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      // ticks at least 64 px apart: the widest label, "20:07:30", is about 50 px in uPlot's 12 px font
      axes: [{ space: 64, values: (u, ticks, axis, space, incr) => timeTicks(card, ticks, space, incr) },
        { label: 'mean loss', size: 50, values: (u, ticks) => ticks.map((t) => num(t)) }],
      series: [{ label: 'window start', value: (u, t) => t == null ? '–' : utc(t * 1000) }, ...series],
      bands,
      legend: { live: true },
    };
  }

  // x axis ticks (seconds) in UTC, 24 h, as precise as their spacing needs, so no two read the same:
  // seconds under a minute apart, the day on a second line on the first tick and where it changes;
  // days apart only the date, months apart only the month. The labels and their spacing (px) are
  // kept on the card for the browser test.
  function timeTicks(card, ticks, space, incr) {
    const labels = ticks.map((t, i) => {
      const s = iso(t * 1000);
      if (incr >= 28 * 86400) return s.slice(0, 7);
      if (incr >= 86400) return s.slice(5, 10);
      const time = incr < 60 ? s.slice(11, 19) : s.slice(11, 16);
      const day = s.slice(5, 10);
      return i > 0 && iso(ticks[i - 1] * 1000).slice(5, 10) === day ? time : time + '\n' + day;
    });
    card.root.dataset.xTicks = JSON.stringify({ labels, space });
    return labels;
  }

  function size(card) {
    const expanded = state.expanded.has(card.model);
    return { width: Math.max(260, card.root.clientWidth - 22), height: expanded ? 340 : 170 };
  }

  function resize(card) {
    if (card.chart && !card.root.hidden) card.chart.setSize(size(card));
  }

  function renderDeadLetters(counts) {
    const rows = Object.entries(counts).sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => el('tr', {}, el('td', {}, reason), el('td', { class: 'num' }, n)));
    $('dlq').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 2 }, 'none'))]));
  }

  // the value an alert is about: its mean loss, or its psi for a rule on predictions alone
  const alertValue = (a) => a.mean_loss == null && a.psi != null ? 'psi ' + num(a.psi) : num(a.mean_loss);

  function renderAlerts(alerts) {
    const rows = alerts.map((a) => el('tr', { title: a.message || '' },
      el('td', { class: 'nowrap' }, short(a.window_end)),
      el('td', {}, a.model + (a.model_version ? ' ' + a.model_version : ''),
        a.segment ? ' · ' + Object.entries(a.segment).map(([f, val]) => f + '=' + val).join('') : '',
        el('div', { class: 'rule' }, a.rule || '')),
      el('td', { class: a.status }, a.status),
      el('td', { class: 'num' }, alertValue(a)),
      el('td', { class: 'num' }, num(a.threshold))));
    $('alerts').tBodies[0].replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 5 }, 'none'))]));
  }

  $('filter').addEventListener('input', (e) => { state.filter = e.target.value; if (state.data) render(); });
  $('firing-only').addEventListener('change', (e) => { state.firingOnly = e.target.checked; if (state.data) render(); });
  $('range').addEventListener('change', (e) => { state.range = e.target.value; poll(); });
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => state.cards.forEach(resize), 150);
  });
  takeTokenFromUrl();
  poll();
})();
