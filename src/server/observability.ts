/**
 * Seeing inside one broker, wired in one place: health and readiness (false once draining), the
 * debug token, /metrics, the debug endpoint and page, the coordinator's inspection, and the `$SYS/`
 * topics. server.ts builds it and calls `startDraining` first thing on shutdown.
 */
import type { AnyStateMachine } from 'xstate';
import type { Broker } from '../broker/broker.js';
import type { InspectableActor } from '../broker/inspection/hub.js';
import { SysTopics } from '../broker/sys-topics.js';
import type { BrokerConfig } from './config.js';
import { tokenGuard } from './debug/auth.js';
import { debugRoutes, defaultDebugOptions } from './debug/routes.js';
import { healthRoutes, readiness, type Route } from './http.js';
import { createMetrics, metricsRoute } from './metrics.js';
import { brokerVersion } from './version.js';

export interface Observability {
  /** Health, token guard, metrics, debug: in the order the HTTP server must try them. */
  routes: Route[];
  readonly draining: boolean;
  /** Readiness turns false (SIGTERM drain); $SYS publishing stops. */
  startDraining(): void;
}

export function startObservability(
  broker: Broker,
  config: Pick<BrokerConfig, 'debugToken' | 'sysInterval'>,
  coordinator: { actor: InspectableActor & { logic: AnyStateMachine } },
): Observability {
  let draining = false;
  broker.inspection.trackCoordinator(coordinator.actor, coordinator.actor.logic);
  const sys =
    config.sysInterval > 0
      ? new SysTopics(broker, { intervalSec: config.sysInterval, version: brokerVersion() })
      : null;
  if (sys !== null) {
    broker.sys = sys;
    sys.start();
  }
  const debug = debugRoutes({ broker, ...defaultDebugOptions });
  const registry = createMetrics({
    broker,
    version: brokerVersion(),
    ready: () => !draining && readiness(broker).ready,
    draining: () => draining,
    debug: debug.stats,
  });
  return {
    routes: [
      healthRoutes(broker, () => draining),
      tokenGuard(config.debugToken),
      metricsRoute(registry),
      debug.route,
    ],
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
      sys?.stop();
    },
  };
}
