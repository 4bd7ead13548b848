/**
 * The debug endpoint's bearer token: when `debugToken` is set, /debug/* data and /metrics answer
 * 401 without `Authorization: Bearer <token>`. Health and readiness stay open (probes carry no
 * token), and so does the page's static shell (/debug/), which holds no data: it asks for the token
 * and sends it with every request it makes.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { METRICS_PATH, type Route } from '../http.js';

/** Paths the token protects. */
export function isProtected(pathname: string): boolean {
  if (pathname === '/debug' || pathname === '/debug/') return false;
  return pathname === METRICS_PATH || pathname.startsWith('/debug/');
}

export function hasToken(req: http.IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match === null) return false;
  const given = Buffer.from(match[1]!.trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A route that answers 401 for protected paths without the token; empty token: no check. */
export function tokenGuard(token: string): Route {
  return (req, res, url) => {
    if (token === '' || !isProtected(url.pathname) || hasToken(req, token)) return false;
    res.writeHead(401, {
      'content-type': 'application/json',
      'www-authenticate': 'Bearer realm="mqttzoo"',
    });
    res.end(JSON.stringify({ error: 'unauthorized: send Authorization: Bearer <debug token>' }));
    return true;
  };
}
