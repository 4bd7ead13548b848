#!/usr/bin/env node
/** The `mqttzoo` command: broker, pub, sub, cluster, inspect. */
import { brokerCommand } from './broker-command.js';
import { clusterCommand } from './cluster-command.js';
import { inspectCommand } from './inspect.js';
import { pubCommand } from './pub.js';
import { subCommand } from './sub.js';

const USAGE = `usage: mqttzoo <command> [options]

commands:
  broker    run one broker (--standalone for a single node without ZooKeeper)
  cluster   up|down|status: a local cluster (3 ZooKeeper servers, 3 brokers, HAProxy on 1883)
  pub       publish each line of standard input (-t topic, -h host, -p port, -q qos, -r)
  sub       print messages until Ctrl-C (-t topic, -h host, -p port, -q qos, -v, -C count)
  inspect   show a broker's actors from its debug endpoint ([CLIENT_ID], --host, --port, --watch)

mqttzoo <command> --help describes a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'broker':
      return brokerCommand(args);
    case 'cluster':
      return clusterCommand(args);
    case 'inspect':
      return inspectCommand(args);
    case 'pub':
      return pubCommand(args);
    case 'sub':
      return subCommand(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`mqttzoo: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mqttzoo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
