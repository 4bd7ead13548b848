/**
 * A tiny Aedes broker process for the benchmark (not part of MQTTZoo).
 *
 *   node dist/bench/targets/aedes-server.js --port P [--id name] [--redis-port R]
 *
 * Without --redis-port: Aedes in memory (default mqemitter and persistence). With it: clustered
 * the usual way, mqemitter-redis for routing between brokers and aedes-persistence-redis for
 * sessions and retained messages, both on the Redis server at 127.0.0.1:R. Listens on 127.0.0.1
 * only; SIGTERM or SIGINT closes it.
 */
import net from 'node:net';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Aedes, type AedesOptions } from 'aedes';
import MQEmitterRedis from 'mqemitter-redis';

type PersistenceFactory = (options: { host: string; port: number }) => unknown;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      id: { type: 'string' },
      'redis-port': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0) throw new Error('--port is required');
  const options: AedesOptions = {};
  if (values.id !== undefined) options.id = values.id;
  const redisPort = values['redis-port'];
  if (redisPort !== undefined) {
    const redis = { host: '127.0.0.1', port: Number(redisPort) };
    // aedes-persistence-redis ships no type declarations: load it through require with its shape.
    const require = createRequire(import.meta.url);
    const persistence = require('aedes-persistence-redis') as PersistenceFactory;
    options.mq = MQEmitterRedis(redis);
    options.persistence = persistence(redis);
  }
  const broker = await Aedes.createBroker(options);
  const server = net.createServer(broker.handle);
  server.listen(port, '127.0.0.1');
  const stop = (): void => {
    server.close();
    broker.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
