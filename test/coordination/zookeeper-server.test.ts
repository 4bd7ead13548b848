/**
 * Tests whether src/cli/cluster/zookeeper-server.ts runs a Debian ZooKeeper server as a process:
 * ready when `srvr` says so, its files where they belong, stopped by SIGTERM, killed by SIGKILL,
 * and started again on the same data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fourLetterWord } from '../../src/cli/cluster/zookeeper-server.js';
import { ZkClient } from '../../src/coordination/zookeeper/internal.js';
import { withDefaults } from '../../src/coordination/zookeeper/options.js';
import { jvmsUnder, startEnsemble, type Ensemble } from '../support/zookeeper.js';

let ensemble: Ensemble;
let started: Ensemble | undefined;

beforeAll(async () => {
  ensemble = started = await startEnsemble({ size: 1 });
});

afterAll(async () => {
  await started?.stop();
});

describe('ZooKeeperServer', () => {
  it('a single server is standalone, with its config, myid, log file and PID file in its directory', async () => {
    const server = ensemble.servers[0]!;
    expect(await server.mode()).toBe('standalone');
    const dir = join(ensemble.dir, 'server-1');
    const cfg = readFileSync(join(dir, 'zoo.cfg'), 'utf8');
    expect(cfg).toContain('4lw.commands.whitelist=srvr,mntr,ruok,stat');
    expect(cfg).toContain('admin.enableServer=false');
    expect(cfg).toContain('autopurge.purgeInterval=1');
    expect(cfg).not.toContain('server.1=');
    expect(readFileSync(join(dir, 'data', 'myid'), 'utf8').trim()).toBe('1');
    expect(Number(readFileSync(join(dir, 'zookeeper.pid'), 'utf8'))).toBe(server.pid);
    expect(existsSync(join(dir, 'zookeeper.log'))).toBe(true);
    expect(await fourLetterWord('127.0.0.1', server.clientPort, 'ruok')).toBe('imok');
  });

  it('stop (SIGTERM) and kill (SIGKILL) end the process; start again serves the same data', async () => {
    const server = ensemble.servers[0]!;
    const options = withDefaults({
      brokerId: 'x',
      connectString: ensemble.connectString,
      root: '/persisted',
    });
    const client = new ZkClient(options);
    await client.start();
    await client.ensurePath('/kept');
    await client.close();
    await server.stop();
    expect(jvmsUnder(ensemble.dir)).toEqual([]);
    expect(await server.mode()).toBeNull();
    await server.start();
    await server.kill();
    expect(jvmsUnder(ensemble.dir)).toEqual([]);
    await server.start();
    const again = new ZkClient(options);
    await again.start();
    expect(await again.exists('/kept')).not.toBeNull();
    await again.close();
  });
});
