/** Every benchmark target, in the order the report lists them (config.ts ALL_TARGETS). */
import { aedes } from './aedes.js';
import { aedesRedis } from './aedes-redis.js';
import { mosquitto } from './mosquitto.js';
import { mqttzoo } from './mqttzoo.js';
import { mqttzooCluster } from './mqttzoo-cluster.js';
import type { Target } from './target.js';

export const TARGETS: readonly Target[] = [mqttzoo, aedes, mosquitto, mqttzooCluster, aedesRedis];
