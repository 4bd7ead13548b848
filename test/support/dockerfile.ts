/** Just enough of a Dockerfile parser to read its stages' instructions (no variable expansion). */
import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** The arguments as written (continuation lines joined with a space). */
  args: string;
}

export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const out: Dockerfile = { args: {}, stages: [] };
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (match === null) continue;
    const keyword = (match[1] ?? '').toUpperCase();
    const args = match[2] ?? '';
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      out.stages.push({ from: from?.[1] ?? args, name: from?.[2], instructions: [] });
      continue;
    }
    const stage = out.stages.at(-1);
    if (stage === undefined) {
      const arg = /^(\w+)=(\S+)$/.exec(args);
      if (keyword === 'ARG' && arg) out.args[arg[1] ?? ''] = arg[2] ?? '';
      continue;
    }
    stage.instructions.push({ keyword, args });
  }
  return out;
}

export function readDockerfile(path: string): Dockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** The base image of a stage with ${ARG} defaults substituted. */
export function baseImage(file: Dockerfile, stage: Stage): string {
  return stage.from.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    return file.args[name] ?? `\${${name}}`;
  });
}

/** The last instruction of a kind in a stage, e.g. the effective ENTRYPOINT. */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

/** An exec-form (JSON array) argument list; throws for the shell form. */
export function execForm(instruction: Instruction | undefined, what: string): string[] {
  if (instruction === undefined) throw new Error(`no ${what}`);
  const parsed: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string'))
    throw new Error(`${what} must be in exec form (a JSON array of strings): ${instruction.args}`);
  return parsed.filter((s) => typeof s === 'string');
}
