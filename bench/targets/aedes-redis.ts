/**
 * Target `aedes-redis`: three Aedes processes clustered the usual way, mqemitter-redis plus
 * aedes-persistence-redis on one Debian redis-server (no persistence) that we start ourselves.
 * Publishers connect to Aedes 1, subscribers to Aedes 2 and 3, as for mqttzoo-cluster.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { AEDES_SERVER, aedesVersion } from './aedes.js';
import { freePort, spawnLogged, stopAll, logTail, type ManagedProcess } from './processes.js';
import { waitForBroker, waitForRedis } from './probe.js';
import { runningTarget, TargetUnavailableError, type Target } from './target.js';

const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const BROKERS = 3;

export const aedesRedis: Target = {
  name: 'aedes-redis',
  kind: 'cluster',
  description:
    '3 Aedes + mqemitter-redis + aedes-persistence-redis; publishers on Aedes 1, subscribers on 2 and 3',
  async start(ctx) {
    if (!existsSync(REDIS)) throw new TargetUnavailableError(`${REDIS} not installed (make deps-bench)`);
    const started: ManagedProcess[] = [];
    try {
      const redisPort = await freePort();
      const redisArgs = [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ];
      const redis = spawnLogged('redis', REDIS, redisArgs, path.join(ctx.workDir, 'redis.log'));
      started.push(redis);
      await waitForRedis(redisPort, ctx.readyTimeoutMs, () => redis.exited() === null);
      const endpoints = [];
      for (let i = 1; i <= BROKERS; i++) {
        const port = await freePort();
        const args = [
          AEDES_SERVER,
          '--port',
          String(port),
          '--id',
          `aedes-${i}`,
          '--redis-port',
          String(redisPort),
        ];
        const proc = spawnLogged(
          `aedes-${i}`,
          process.execPath,
          args,
          path.join(ctx.workDir, `aedes-${i}.log`),
        );
        started.push(proc);
        const endpoint = { host: '127.0.0.1', port };
        await waitForBroker(endpoint, ctx.readyTimeoutMs, () => proc.exited() === null);
        endpoints.push(endpoint);
      }
      const notes = [
        `aedes ${aedesVersion()} x${BROKERS}, mqemitter-redis + aedes-persistence-redis, one redis-server`,
      ];
      return runningTarget(started, { publish: endpoints.slice(0, 1), subscribe: endpoints.slice(1) }, notes);
    } catch (err) {
      await stopAll(started);
      const tails = started.map((p) => `${p.label}: ${logTail(p.logFile, 5)}`).join('\n');
      throw new TargetUnavailableError(
        `aedes-redis: ${err instanceof Error ? err.message : String(err)}\n${tails}`,
      );
    }
  },
};
