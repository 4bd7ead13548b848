/** The ZooKeeper implementation of Coordination: what brokers and the CLI import. */
export { ZooKeeperCoordination } from './zookeeper-coordination.js';
export type { Logger, ZooKeeperCoordinationOptions, ZooKeeperOptions } from './options.js';
export { ExponentialBackoffRetry, TimerSleeper, type RetryPolicy, type Sleeper } from './retry.js';
