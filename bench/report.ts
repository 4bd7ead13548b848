/**
 * The printed report: one summary table (a row per scenario, a column per target, then ratios),
 * a details table (a row per scenario and target: counts, latency, CPU), and the notes. Figures
 * are medians of runs; lost/dup/reordered counts are summed over all runs.
 */
import { ratio, SATURATED_PCT, summarizeCell, type CellRecord, type CellSummary } from './results.js';

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function formatRatio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}x` : '-';
}

function mainFigure(cell: CellRecord | undefined, s: CellSummary | undefined): string {
  if (cell === undefined || s === undefined) return '';
  if (cell.status === 'unavailable') return 'n/a';
  if (cell.status === 'error' || s.representative === null) return 'error';
  const busy = s.representative.cpu.otherPct >= BUSY_PCT;
  const mark = `${s.generatorBound ? '*' : ''}${busy ? '!' : ''}`;
  if (cell.figure === 'latency') return `${formatMs(s.p50Ms)}/${formatMs(s.p99Ms)} ms${mark}`;
  return `${formatRate(s.throughput)}${mark}`;
}

/** Throughput ratio a/b, or for latency rows the p99 ratio a/b (lower is better there). */
function cellRatio(a: CellSummary | undefined, b: CellSummary | undefined, latency: boolean): number {
  if (a === undefined || b === undefined) return NaN;
  return latency ? ratio(a.p99Ms, b.p99Ms) : ratio(a.throughput, b.throughput);
}

/** Other processes' CPU (not the target, not the generator) above which a figure is marked busy. */
const BUSY_PCT = 50;

const RATIOS: readonly [string, string, string][] = [
  ['mqttzoo/aedes', 'mqttzoo', 'aedes'],
  ['mqttzoo/mosquitto', 'mqttzoo', 'mosquitto'],
  ['cluster/aedes-redis', 'mqttzoo-cluster', 'aedes-redis'],
  ['cluster/mqttzoo', 'mqttzoo-cluster', 'mqttzoo'],
];

export function renderReport(
  cells: readonly CellRecord[],
  targets: readonly string[],
  scenarios: readonly string[],
): string {
  const summaries = new Map(cells.map((c) => [`${c.scenario}|${c.target}`, summarizeCell(c)]));
  const cellOf = (s: string, t: string): CellRecord | undefined =>
    cells.find((c) => c.scenario === s && c.target === t);
  const sumOf = (s: string, t: string): CellSummary | undefined => summaries.get(`${s}|${t}`);
  const ratios = RATIOS.filter(([, a, b]) => targets.includes(a) && targets.includes(b));
  const summaryRows = scenarios.map((s) => {
    const latency = cells.find((c) => c.scenario === s)?.figure === 'latency';
    return [
      s,
      ...targets.map((t) => mainFigure(cellOf(s, t), sumOf(s, t))),
      ...ratios.map(([, a, b]) => formatRatio(cellRatio(sumOf(s, a), sumOf(s, b), latency))),
    ];
  });
  const detailRows: string[][] = [];
  for (const s of scenarios) {
    for (const t of targets) {
      const cell = cellOf(s, t);
      const sum = sumOf(s, t);
      if (cell === undefined || sum === undefined || cell.status !== 'ok') continue;
      detailRows.push(detailRow(cell, sum));
    }
  }
  const out = [
    'Throughput rows: deliveries/s (fan-in and pairs: msg/s). Latency rows: p50/p99 ms at a fixed 1,000 msg/s.',
    'Ratios: throughput a/b (higher is better for a); on latency rows p99 a/b (lower is better for a).',
    `* generator at >= ${SATURATED_PCT}% of a core in some run: the figure may understate the broker.`,
    `! other processes used >= ${BUSY_PCT}% of a core during the median run: the machine was not quiet.`,
    '',
    renderTable(['scenario', ...targets, ...ratios.map(([name]) => name)], summaryRows),
    '',
    'Details (median run; lost/dup/ooo/xorder summed over all runs; CPU in % of one core over the measured window):',
    renderTable(
      [
        'scenario',
        'target',
        'figure',
        'sent',
        'received',
        'lost',
        'lost0',
        'unacked',
        'dup',
        'ooo',
        'xorder',
        'p50 ms',
        'p99 ms',
        'cpu target',
        'cpu gen',
        'other',
        'before',
      ],
      detailRows,
    ),
  ];
  const problems = cells.filter((c) => c.status !== 'ok' || summarizeCell(c).errors.length > 0);
  if (problems.length > 0) out.push('', 'Unavailable targets and errors:');
  const seen = new Set<string>();
  for (const c of problems) {
    const text =
      c.status === 'unavailable'
        ? `${c.target}: unavailable: ${firstLine(c.reason)}`
        : `${c.target} ${c.scenario}: ${firstLine(c.reason ?? summarizeCell(c).errors.join('; '))}`;
    if (!seen.has(text)) out.push(`  ${text}`);
    seen.add(text);
  }
  const notes = new Map<string, string[]>();
  for (const c of cells) if (c.notes.length > 0) notes.set(c.target, c.notes);
  if (notes.size > 0) out.push('', 'Target notes:');
  for (const [target, lines] of notes) out.push(`  ${target}: ${lines.join('; ')}`);
  return out.join('\n');
}

function firstLine(text: string | null): string {
  return (text ?? '').split('\n')[0] ?? '';
}

function detailRow(cell: CellRecord, s: CellSummary): string[] {
  const r = s.representative;
  const m = r?.measured;
  const procs = r?.cpu.processes ?? [];
  const total = procs.reduce((a, p) => a + (Number.isNaN(p.cpuPct) ? 0 : p.cpuPct), 0);
  const top = procs.reduce((a, p) => (p.cpuPct > a.cpuPct ? p : a), { label: '-', pid: 0, cpuPct: -1 });
  const pct = (v: number | undefined): string =>
    v === undefined || !Number.isFinite(v) ? '-' : `${v.toFixed(0)}%`;
  const cpuTarget = procs.length <= 1 ? pct(total) : `${pct(total)} (max ${top.label} ${pct(top.cpuPct)})`;
  const before = cell.runs.map((run) => pct(run.before.backgroundPct)).join(',');
  return [
    cell.scenario,
    cell.target,
    mainFigure(cell, s),
    String(m?.sent ?? '-'),
    String(m?.received ?? '-'),
    String(s.lost),
    String(s.lostQos0),
    String(s.unacked),
    String(s.duplicates),
    String(s.outOfOrder),
    String(s.crossOrder),
    formatMs(m?.latencyMs.p50 ?? NaN),
    formatMs(m?.latencyMs.p99 ?? NaN),
    cpuTarget,
    pct(r?.cpu.generatorPct),
    pct(r?.cpu.otherPct),
    before,
  ];
}
