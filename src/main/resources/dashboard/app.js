// losswatch dashboard: polls /api/overview and draws one uPlot chart per model (small multiples).
// Model names and other data are only ever set as text (textContent), never as HTML.
(() => {
  'use strict';
  const COLORS = ['#2563eb', '#9333ea', '#ea580c', '#0891b2', '#65a30d', '#db2777', '#854d0e', '#4b5563'];
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

  const num = (x) => x == null ? '–' : (Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(4)).toString());
  const utc = (ms) => ms == null ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);
  const short = (ms) => ms == null ? '–' : new Date(ms).toISOString().slice(5, 16).replace('T', ' ');

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
      + ' · updated ' + new Date().toLocaleTimeString() + ' · every ' + (state.refreshMs / 1000) + ' s', !ready);
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
      grid.append(el('p', { class: 'empty' }, 'No model has a final window yet. A window becomes final once event '
        + 'time has passed its end plus the grace period (and its labels have arrived or timed out).'));
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
    const card = { model, root, badge, latest, chartEl: chart, chart: null, key: null };
    title.addEventListener('click', () => {
      if (state.expanded.has(model)) state.expanded.delete(model); else state.expanded.add(model);
      root.classList.toggle('expanded', state.expanded.has(model));
      resize(card);
    });
    return card;
  }

  function updateCard(card, m) {
    card.root.classList.toggle('firing', m.firing);
    card.badge.textContent = m.firing ? 'FIRING' : 'ok';
    card.badge.classList.toggle('firing', m.firing);
    card.latest.replaceChildren(...m.versions.map((v, i) => {
      const w = v.latest;
      const label = v.model_version === '' ? '(no version)' : v.model_version;
      const line = el('div', {}, el('span', { style: 'color:' + COLORS[i % COLORS.length] }, '■ '), label + ': ');
      if (w) {
        line.append('latest window ', el('b', {}, hhmm(w.window_start) + '–' + hhmm(w.window_end)),
          ' mean ', el('b', {}, num(w.mean_loss)), ' count ', el('b', {}, w.count),
          w.unlabelled ? ' unlabelled ' + w.unlabelled : '', ' · ' + (w.loss_function || ''));
      } else {
        line.append('no final window yet');
      }
      return line;
    }));
    if (card.root.hidden) return;
    const { data, series, key } = chartData(m);
    const hasPoints = data[0].length > 0;
    if (!hasPoints) {
      if (card.chart) { card.chart.destroy(); card.chart = null; card.key = null; }
      card.chartEl.replaceChildren(el('p', { class: 'empty' }, 'no final window in this range'));
      return;
    }
    if (card.chart && card.key === key) {
      card.chart.setData(data);
      return;
    }
    if (card.chart) card.chart.destroy();
    card.chartEl.replaceChildren();
    card.key = key;
    card.chart = new uPlot(chartOptions(card, series), data, card.chartEl);
  }

  // aligned data for uPlot: x = window starts (seconds), one mean-loss series per version, and per
  // version with alerts its threshold and baseline (stepped, as carried by the latest alert) and markers
  function chartData(m) {
    const xs = new Set();
    for (const v of m.versions) for (const w of v.windows) xs.add(w[0] / 1000);
    for (const a of m.alerts) xs.add(a.window_start / 1000);
    const x = [...xs].sort((a, b) => a - b);
    const data = [x];
    const series = [];
    m.versions.forEach((v, i) => {
      const color = COLORS[i % COLORS.length];
      const label = v.model_version === '' ? 'mean loss' : v.model_version;
      const means = new Map(v.windows.map((w) => [w[0] / 1000, w[3]]));
      data.push(x.map((t) => means.has(t) ? means.get(t) : null));
      series.push({ label, stroke: color, width: 2, spanGaps: true, value: (u, y) => num(y) });
      const alerts = m.alerts.filter((a) => (a.model_version || '') === v.model_version)
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
      const prefix = m.versions.length > 1 ? label + ' ' : '';
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
    return { data, series, key: series.map((s) => s.label).join('|') };
  }

  function chartOptions(card, series) {
    return {
      ...size(card),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ values: (u, ticks) => ticks.map((t, i) => timeTick(t, i === 0 ? null : ticks[i - 1])) },
        { label: 'mean loss', size: 50, values: (u, ticks) => ticks.map((t) => num(t)) }],
      series: [{ label: 'window start', value: (u, t) => t == null ? '–' : utc(t * 1000) }, ...series],
      legend: { live: true },
    };
  }

  // x axis ticks in UTC, 24 h; the date where it changes (and on the first tick)
  function timeTick(t, previous) {
    const day = (s) => new Date(s * 1000).toISOString().slice(5, 10);
    const time = hhmm(t * 1000);
    return previous == null || day(previous) !== day(t) ? day(t) + ' ' + time : time;
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

  function renderAlerts(alerts) {
    const rows = alerts.map((a) => el('tr', { title: a.message || '' },
      el('td', { class: 'nowrap' }, short(a.window_end)),
      el('td', {}, a.model + (a.model_version ? ' ' + a.model_version : '')),
      el('td', { class: a.status }, a.status),
      el('td', { class: 'num' }, num(a.mean_loss)),
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
