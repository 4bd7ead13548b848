/** configMapGenerator sources: env files (KEY=value lines, # comments) and KEY=value literals. */
import type { JsonObject } from './json.js';

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Like kustomize: leading blanks dropped, the value is the rest of the line, taken literally. */
export function parseEnvFile(text: string, where: string): JsonObject {
  const data: JsonObject = {};
  for (const [i, raw] of text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .entries()) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    // Kustomize reads a bare KEY from its own environment: not reproducible, so refused.
    if (eq < 0) throw new Error(`${where}:${i + 1}: expected KEY=value`);
    const key = line.slice(0, eq);
    if (!ENV_NAME.test(key))
      throw new Error(`${where}:${i + 1}: ${JSON.stringify(key)} is not a variable name`);
    data[key] = line.slice(eq + 1);
  }
  return data;
}

/** KEY=value; one pair of matching quotes around the value is removed. */
export function parseLiteral(literal: string): JsonObject {
  const eq = literal.indexOf('=');
  if (eq <= 0) throw new Error(`literal ${JSON.stringify(literal)}: expected KEY=value`);
  let value = literal.slice(eq + 1);
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]))
    value = value.slice(1, -1);
  return { [literal.slice(0, eq)]: value };
}
