/**
 * The debug page (`GET /debug/`): plain HTML, CSS and vanilla JavaScript in one response, no build
 * step. It reads the JSON routes and the live stream of this broker; the script is page-script.ts.
 */
import { pageScript } from './page-script.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { --bg:#0f1419; --panel:#171d24; --line:#2a333d; --text:#d8dee6; --dim:#8a96a3; --accent:#4fb3ff;
  --ok:#3fb950; --warn:#d29922; --bad:#f85149; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.4 system-ui, sans-serif; }
header { display:flex; gap:24px; align-items:baseline; padding:12px 20px; border-bottom:1px solid var(--line); }
header h1 { font-size:18px; margin:0; } header .dim { color:var(--dim); }
main { display:grid; grid-template-columns: minmax(0, 2.2fr) minmax(0, 1.3fr); gap:16px; padding:16px 20px; }
a { color:var(--accent); }
.scroll { overflow-x:auto; }
section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:12px 14px; margin-bottom:16px; }
h2 { font-size:14px; margin:0 0 8px; color:var(--dim); text-transform:uppercase; letter-spacing:.05em; }
table { width:100%; border-collapse:collapse; font-size:13px; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:500; }
td.wrap { white-space:normal; overflow-wrap:anywhere; }
tbody tr { cursor:pointer; } tbody tr:hover { background:#1f2731; } tr.selected { background:#1d3047; }
tr.flash { animation: flash 1.2s ease-out; } @keyframes flash { from { background:#3a4a1d; } to { background:transparent; } }
.state { font-family:var(--mono); padding:1px 6px; border-radius:10px; background:#24303c; }
.state.connected { color:var(--ok); } .state.connecting, .state.awaitingConnect { color:var(--warn); } .state.closed { color:var(--bad); }
.mono { font-family:var(--mono); font-size:12px; }
.dim { color:var(--dim); } .warn { color:var(--warn); } .bad { color:var(--bad); }
.filters { display:flex; gap:8px; margin-bottom:8px; }
input, select, button { background:#0f1419; color:var(--text); border:1px solid var(--line); border-radius:4px; padding:4px 8px; font:inherit; }
.machine { display:flex; flex-wrap:wrap; gap:10px; align-items:flex-start; margin:8px 0; }
.node { border:1px solid var(--line); border-radius:8px; padding:6px 10px; min-width:90px; font-family:var(--mono); font-size:12px; }
.node .children { display:flex; gap:6px; margin-top:6px; }
.node.current { border-color:var(--accent); box-shadow:0 0 0 2px #4fb3ff55; color:#fff; background:#1d3047; }
.node.final { border-style:double; border-width:3px; }
.node .on { color:var(--dim); font-size:11px; margin-top:4px; white-space:pre-line; }
#log { max-height:260px; overflow:auto; font-family:var(--mono); font-size:12px; }
#log div { padding:1px 0; border-bottom:1px dotted #222a33; white-space:nowrap; }
pre { max-height:320px; overflow:auto; background:#0f1419; padding:8px; border-radius:4px; font-size:12px; }
#token { display:none; } #token.show { display:flex; gap:8px; align-items:center; }
`;

export function debugPage(brokerId: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MQTTZoo ${escapeHtml(brokerId)}: actors</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>MQTTZoo <span id="broker">${escapeHtml(brokerId)}</span></h1>
  <span>role <b id="role">…</b></span>
  <span>leader <b id="leader">…</b></span>
  <span>link <b id="link">…</b></span>
  <span>log applied <b id="applied">…</b> / head <b id="head">…</b>, lag <b id="lag">…</b></span>
  <span class="dim" id="live">connecting…</span>
  <form id="token"><span class="warn">This broker wants its debug token:</span>
    <input type="password" id="token-input" placeholder="debug token" autocomplete="off"><button>use</button></form>
</header>
<main>
  <div>
    <section>
      <h2>Cluster</h2>
      <table id="members"><thead><tr><th>broker</th><th>role</th><th>mqtt</th><th>debug</th><th>applied</th><th>lag</th></tr></thead><tbody></tbody></table>
    </section>
    <section>
      <h2>Connections <span class="dim" id="count"></span></h2>
      <div class="filters">
        <input id="filter-client" placeholder="client id prefix">
        <select id="filter-state"><option value="">every state</option><option>awaitingConnect</option>
          <option>connecting</option><option>connected</option><option>connected.alive</option><option>connected.unlimited</option></select>
      </div>
      <div class="scroll"><table id="actors"><thead><tr><th>client id</th><th>state</th><th>session</th><th>keep-alive</th>
        <th>last packet</th><th>inflight</th><th>queued</th><th>PUBREL due</th><th>subscriptions</th></tr></thead>
        <tbody></tbody></table></div>
    </section>
    <section>
      <h2>Live transitions</h2>
      <div id="log"></div>
    </section>
  </div>
  <div>
    <section id="detail">
      <h2>Connection <span id="detail-id" class="mono"></span></h2>
      <p class="dim" id="detail-hint">Select a connection to see its machine, its history and its context.</p>
      <div class="machine" id="machine"></div>
      <h2>History</h2>
      <table id="history"><thead><tr><th>time</th><th>from</th><th>to</th><th>via</th></tr></thead><tbody></tbody></table>
      <h2>Snapshot</h2>
      <pre id="snapshot" class="mono"></pre>
    </section>
    <section>
      <h2>Coordinator <span id="coord-state" class="state"></span></h2>
      <div class="machine" id="coord-machine"></div>
      <pre id="coordinator" class="mono"></pre>
    </section>
  </div>
</main>
<script>${pageScript}</script>
</body>
</html>
`;
}
