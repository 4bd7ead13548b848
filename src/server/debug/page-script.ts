/**
 * The debug page's script: vanilla JavaScript, sent inline by page.ts. It polls the JSON routes,
 * follows the live stream (fetch + a stream reader rather than EventSource, so that it can send the
 * bearer token) and draws the selected connection's machine with its current state highlighted.
 * Everything from the broker goes into the page as text (textContent), never as HTML.
 */
export const pageScript = `
(function () {
  'use strict';
  var token = sessionStorage.getItem('mqttzoo-token') || '';
  var selected = decodeURIComponent((location.hash.match(/client=([^&]*)/) || [])[1] || '') || null;
  var machines = { connection: null, coordinator: null };
  var lastStates = {};
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, props, children) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === 'text') e.textContent = props[k];
      else if (k === 'cls') e.className = props[k];
      else if (k.indexOf('data-') === 0) e.setAttribute(k, props[k]);
      else e[k] = props[k];
    });
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function headers() { return token ? { Authorization: 'Bearer ' + token } : {}; }
  function get(path) {
    return fetch(path, { headers: headers(), cache: 'no-store' }).then(function (r) {
      if (r.status === 401) { $('token').classList.add('show'); throw new Error('unauthorized'); }
      return r.json();
    });
  }
  function ms(n) { return n == null ? '–' : n < 1000 ? Math.round(n) + ' ms' : (n / 1000).toFixed(1) + ' s'; }
  function clock(t) { var d = new Date(t); return d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0'); }
  function stateBadge(s) { return h('span', { cls: 'state ' + String(s).split('.')[0], text: s }); }
  function quiet(p) { return p.catch(function (e) { $('live').textContent = String(e.message || e); }); }

  $('token').addEventListener('submit', function (ev) {
    ev.preventDefault();
    token = $('token-input').value;
    sessionStorage.setItem('mqttzoo-token', token);
    $('token').classList.remove('show');
    refreshAll();
    stream();
  });

  // ── connections ──
  function refreshActors() {
    var q = '?limit=200';
    if ($('filter-client').value) q += '&clientId=' + encodeURIComponent($('filter-client').value);
    if ($('filter-state').value) q += '&state=' + encodeURIComponent($('filter-state').value);
    return get('/debug/actors' + q).then(function (data) {
      var all = Object.keys(data.states).reduce(function (a, k) { return a + data.states[k]; }, 0);
      $('count').textContent = data.total + ' shown of ' + all;
      var rows = data.actors.map(function (a) {
        var id = a.clientId || a.connId;
        var tr = h('tr', { 'data-client-id': id, 'data-conn-id': a.connId, 'data-state': a.state }, [
          h('td', { cls: 'mono', text: a.clientId || '(no CONNECT yet)' }),
          h('td', {}, [stateBadge(a.state)]),
          h('td', { text: a.session ? (a.session.kind === 'persistent' ? 'persistent ' + a.session.expiry + ' s' : 'clean') : '–' }),
          h('td', { text: a.keepAlive ? a.keepAlive + ' s' + (a.keepAliveExpiresInMs != null ? ', ' + ms(a.keepAliveExpiresInMs) + ' left' : '') : 'none',
            cls: a.keepAliveExpiresInMs != null && a.keepAliveExpiresInMs < a.keepAlive * 250 ? 'warn' : '' }),
          h('td', { text: ms(a.sinceLastPacketMs) + ' ago' }),
          h('td', { text: a.inflight + (a.awaitingPubcomp ? ' (PUBCOMP due: ' + a.awaitingPubcomp + ')' : ''), cls: a.awaitingPubcomp ? 'warn' : '' }),
          h('td', { text: String(a.queued) }),
          h('td', { text: String(a.awaitingPubrel), cls: a.awaitingPubrel ? 'warn' : '' }),
          h('td', { cls: 'mono wrap', text: a.subscriptions.join(', ') }),
        ]);
        tr.title = a.connId + ' from ' + a.remoteAddress;
        if (lastStates[a.connId] && lastStates[a.connId] !== a.state) tr.classList.add('flash');
        if (selected && (selected === a.clientId || selected === a.connId)) tr.classList.add('selected');
        lastStates[a.connId] = a.state;
        tr.addEventListener('click', function () { select(id); });
        return tr;
      });
      $('actors').tBodies[0].replaceChildren.apply($('actors').tBodies[0], rows);
      document.body.setAttribute('data-ready', '1');
    });
  }
  function select(id) {
    selected = id;
    location.hash = 'client=' + encodeURIComponent(id);
    Array.prototype.forEach.call(document.querySelectorAll('#actors tbody tr'), function (tr) {
      tr.classList.toggle('selected', tr.getAttribute('data-client-id') === id);
    });
    refreshDetail();
  }

  // ── machines ──
  function drawMachine(container, desc, current) {
    if (!desc) return;
    function node(d) {
      var name = d.key.split('.').pop();
      var isCurrent = current === d.key || (current || '').indexOf(d.key + '.') === 0;
      var seen = {};
      var on = d.on.filter(function (t) { var k = t.event + t.target; if (seen[k]) return false; seen[k] = 1; return true; });
      var lines = on.slice(0, 6).map(function (t) { return t.event + ' → ' + t.target; });
      if (on.length > 6) lines.push('+' + (on.length - 6) + ' more');
      return h('div', { cls: 'node' + (isCurrent ? ' current' : '') + (d.type === 'final' ? ' final' : ''), 'data-state': d.key }, [
        h('div', { text: name }),
        d.states.length ? h('div', { cls: 'children' }, d.states.map(node)) : h('span'),
        h('div', { cls: 'on', text: lines.join('\\n') }),
      ]);
    }
    container.replaceChildren.apply(container, desc.states.map(node));
  }
  function refreshDetail() {
    if (!selected) return Promise.resolve();
    return get('/debug/actors/' + encodeURIComponent(selected)).then(function (d) {
      if (d.error) { $('detail-hint').textContent = d.error; return; }
      $('detail-hint').textContent = d.live ? 'live; state ' + d.state : 'closed ' + clock(d.closedAt);
      $('detail-id').textContent = (d.clientId || d.connId) + ' · ' + d.connId;
      drawMachine($('machine'), machines.connection, d.state);
      var rows = d.history.slice().reverse().map(function (r) {
        var via = r.via.join(' | ') + (r.reason && r.reason.kind ? ' (' + r.reason.kind + (r.reason.message ? ': ' + r.reason.message : '') + ')' : '');
        return h('tr', {}, [h('td', { cls: 'mono', text: clock(r.at) }), h('td', { text: r.from || '–' }),
          h('td', {}, [stateBadge(r.to)]), h('td', { cls: 'mono', text: via })]);
      });
      $('history').tBodies[0].replaceChildren.apply($('history').tBodies[0], rows);
      $('snapshot').textContent = JSON.stringify(d.live ? d.snapshot : d, null, 2);
    });
  }

  // ── cluster ──
  function refreshCoordinator() {
    return get('/debug/coordinator').then(function (c) {
      $('role').textContent = c.role; $('leader').textContent = c.leaderId || 'none'; $('link').textContent = c.link;
      $('applied').textContent = c.applied; $('head').textContent = c.log.head; $('lag').textContent = c.lag;
      $('coord-state').textContent = c.state;
      drawMachine($('coord-machine'), machines.coordinator, c.state);
      var rows = c.members.map(function (m) {
        var link = h('a', { href: 'http://' + m.http + '/debug/', text: m.http });
        return h('tr', { 'data-broker': m.brokerId }, [h('td', { text: m.brokerId + (m.self ? ' (this)' : '') }),
          h('td', { text: m.leader ? 'leader' : 'follower' }), h('td', { cls: 'mono', text: m.mqtt }), h('td', {}, [link]),
          h('td', { text: String(m.applied) }), h('td', { text: String(m.lag), cls: m.lag > 100 ? 'warn' : '' })]);
      });
      $('members').tBodies[0].replaceChildren.apply($('members').tBodies[0], rows);
      $('coordinator').textContent = JSON.stringify({ context: c.context, log: c.log, quota: c.quota, history: c.history }, null, 2);
    });
  }

  // ── live stream ──
  var pending = null;
  function soon() { if (!pending) pending = setTimeout(function () { pending = null; quiet(refreshActors()); quiet(refreshDetail()); }, 150); }
  function logLine(cls, text) {
    var log = $('log');
    log.insertBefore(h('div', { cls: cls, text: text }), log.firstChild);
    while (log.childNodes.length > 200) log.removeChild(log.lastChild);
  }
  function onEvent(type, data) {
    if (type === 'dropped') { logLine('warn', data.dropped + ' events dropped (this page fell behind)'); return; }
    if (type !== 'transition') return;
    var who = data.actor === 'coordinator' ? 'coordinator' : (data.clientId || data.id);
    logLine(data.changed ? '' : 'dim', clock(data.at) + '  ' + who + '  ' + data.event + '  ' + (data.from || '∅') + ' → ' + data.to);
    if (data.changed || (selected && (data.clientId === selected || data.id === selected))) soon();
  }
  function stream() {
    fetch('/debug/events', { headers: headers() }).then(function (r) {
      if (r.status === 401) { $('token').classList.add('show'); throw new Error('unauthorized'); }
      if (!r.ok || !r.body) throw new Error('stream: HTTP ' + r.status);
      $('live').textContent = 'live';
      var reader = r.body.getReader(), decoder = new TextDecoder(), buf = '';
      function read() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error('stream ended');
          buf += decoder.decode(chunk.value, { stream: true });
          var parts = buf.split('\\n\\n'); buf = parts.pop();
          parts.forEach(function (block) {
            var type = 'message', data = '';
            block.split('\\n').forEach(function (line) {
              if (line.indexOf('event: ') === 0) type = line.slice(7);
              else if (line.indexOf('data: ') === 0) data += line.slice(6);
            });
            if (data) { try { onEvent(type, JSON.parse(data)); } catch (e) { /* not JSON: ignore */ } }
          });
          return read();
        });
      }
      return read();
    }).catch(function (e) {
      $('live').textContent = 'stream: ' + (e.message || e) + ', retrying';
      if (String(e.message) !== 'unauthorized') setTimeout(stream, 2000);
    });
  }

  function refreshAll() { return Promise.all([quiet(refreshActors()), quiet(refreshCoordinator()), quiet(refreshDetail())]); }
  $('filter-client').addEventListener('input', function () { quiet(refreshActors()); });
  $('filter-state').addEventListener('change', function () { quiet(refreshActors()); });
  Promise.all([get('/debug/machines/connection'), get('/debug/machines/coordinator')]).then(function (m) {
    machines.connection = m[0]; machines.coordinator = m[1];
  }).catch(function () {}).then(function () {
    refreshAll();
    stream();
    setInterval(function () { quiet(refreshActors()); }, 2000);
    setInterval(function () { quiet(refreshCoordinator()); }, 3000);
    setInterval(function () { quiet(refreshDetail()); }, 2000);
  });
})();
`;
