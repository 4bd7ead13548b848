/**
 * A strict parser of Prometheus' text exposition format (version 0.0.4), for tests: it throws on
 * anything a Prometheus server would reject or that breaks the format's rules (bad names, label
 * syntax or escapes, values, duplicate series, TYPE after samples, non-contiguous families,
 * histogram buckets that are not cumulative or whose +Inf bucket differs from _count).
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | null;
  samples: Sample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case. */
function parseValue(s: string, line: number): number {
  const lower = s.toLowerCase();
  if (['+inf', 'inf', '+infinity', 'infinity'].includes(lower)) return Infinity;
  if (['-inf', '-infinity'].includes(lower)) return -Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s))
    throw new Error(`line ${line}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function parseLabels(s: string, line: number): [Record<string, string>, string] {
  const labels: Record<string, string> = {};
  let i = 0;
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '}') return [labels, s.slice(i + 1)];
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without =`);
    const name = s.slice(i, eq).trim();
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    if (s[eq + 1] !== '"') throw new Error(`line ${line}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] !== '\\') {
        value += s.charAt(j);
        continue;
      }
      const e = s[++j];
      if (e === 'n') value += '\n';
      else if (e === '\\' || e === '"') value += e;
      else throw new Error(`line ${line}: bad escape \\${e}`);
    }
    if (j >= s.length) throw new Error(`line ${line}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`line ${line}: expected , or } after a label`);
  }
}

function familyOf(name: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ['histogram', 'summary'].includes(families.get(base)?.type ?? ''))
      return base;
  }
  return name;
}

export function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  const series = new Set<string>();
  let current: string | null = null;
  const family = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', help: null, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error('the exposition must end with a newline');
  lines.forEach((raw, index) => {
    const n = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (m === null) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC.test(name)) throw new Error(`line ${n}: bad metric name ${name}`);
      const f = family(name);
      if (kind === 'HELP') {
        if (f.help !== null) throw new Error(`line ${n}: second HELP for ${name}`);
        f.help = rest;
      } else {
        if (!TYPES.has(rest)) throw new Error(`line ${n}: bad type ${rest}`);
        if (f.samples.length > 0 || f.type !== 'untyped')
          throw new Error(`line ${n}: TYPE for ${name} after its samples or twice`);
        f.type = rest as Family['type'];
      }
      return;
    }
    const nameEnd = raw.search(/[{ ]/);
    if (nameEnd < 0) throw new Error(`line ${n}: no value`);
    const name = raw.slice(0, nameEnd);
    if (!METRIC.test(name)) throw new Error(`line ${n}: bad metric name ${JSON.stringify(name)}`);
    let rest = raw.slice(nameEnd);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest.slice(1), n);
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '')
      throw new Error(`line ${n}: expected a value (and a timestamp)`);
    const value = parseValue(parts[0]!, n);
    const fname = familyOf(name, families);
    if (current !== fname) {
      if (finished.has(fname)) throw new Error(`line ${n}: samples of ${fname} are not contiguous`);
      if (current !== null) finished.add(current);
      current = fname;
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`line ${n}: duplicate series ${key}`);
    series.add(key);
    const f = family(fname);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`line ${n}: counter ${name} is ${value}`);
    if (f.type === 'histogram' && name.endsWith('_bucket') && labels.le === undefined)
      throw new Error(`line ${n}: bucket without le`);
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name.endsWith('_bucket')) g.buckets.push([parseValue(le!, 0), s.value]);
    else if (s.name.endsWith('_count')) g.count = s.value;
  }
  for (const g of groups.values()) {
    g.buckets.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < g.buckets.length; i++) {
      if (g.buckets[i]![1] < g.buckets[i - 1]![1]) throw new Error(`${f.name}: buckets not cumulative`);
    }
    const inf = g.buckets.at(-1);
    if (inf?.[0] !== Infinity) throw new Error(`${f.name}: no +Inf bucket`);
    if (inf[1] !== g.count)
      throw new Error(`${f.name}: +Inf bucket ${inf[1]} differs from _count ${g.count}`);
  }
}

/** The value of one series, or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
