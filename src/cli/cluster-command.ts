/**
 * `mqttzoo cluster up|down|status`: a local cluster of 3 ZooKeeper servers, 3 brokers and HAProxy
 * on port 1883, as detached processes with their files under --state-dir (default state/cluster).
 */
import { parseArgs } from 'node:util';
import { defaultLayout, LocalCluster } from './cluster/local-cluster.js';
import { clusterStatus, formatStatus } from './cluster/status.js';

const USAGE = 'usage: mqttzoo cluster up|down|status [--state-dir DIR]\n';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function clusterCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { 'state-dir': { type: 'string', default: 'state/cluster' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
  const action = positionals[0];
  const stateDir = values['state-dir'];
  if (values.help === true || action === undefined) {
    process.stdout.write(USAGE);
    return values.help === true ? 0 : 2;
  }
  const saved = LocalCluster.load(stateDir);
  switch (action) {
    case 'up': {
      const cluster = saved ?? new LocalCluster(defaultLayout(stateDir));
      await cluster.up(say);
      const { lbPort, host, brokers } = cluster.layout;
      say('');
      say(`MQTTZoo cluster is up. Connect to mqtt://${host}:${lbPort} (load balanced).`);
      say(
        `  brokers: ${brokers.map((b) => `${b.brokerId} mqtt://${host}:${b.mqttPort} http://${host}:${b.httpPort}`).join(', ')}`,
      );
      say(`  try:     make sub TOPIC=demo   and, in another terminal,   make pub TOPIC=demo`);
      say(`  status:  make status           stop: make down`);
      return 0;
    }
    case 'down':
      if (saved === null) {
        say(`no cluster in ${stateDir}`);
        return 0;
      }
      await saved.down(say);
      say('cluster stopped');
      return 0;
    case 'status': {
      if (saved === null) {
        say(`no cluster in ${stateDir} (start one with make up)`);
        return 1;
      }
      const rows = await clusterStatus(saved);
      say(formatStatus(rows));
      return rows.every((r) => r.state !== 'stopped' && r.state !== 'not ready' && r.state !== 'not serving')
        ? 0
        : 1;
    }
    default:
      process.stderr.write(`mqttzoo cluster: unknown action ${JSON.stringify(action)}\n${USAGE}`);
      return 2;
  }
}
