/** Checks that the in-memory Coordination keeps the Coordination contract (test/coordination/contract.ts). */
import type { Coordination } from '../../src/coordination/coordination.js';
import { MemoryCoordination } from '../../src/coordination/memory/memory-coordination.js';
import { MemoryEnsemble } from '../../src/coordination/memory/memory-ensemble.js';
import { coordinationContract, type ContractCluster } from './contract.js';
import { eventually } from './contract-helpers.js';

function memoryCluster(): ContractCluster {
  const ensemble = new MemoryEnsemble();
  const brokers = new Map<string, Coordination>();
  const all: Coordination[] = [];
  const linkIs = (id: string, state: string) => eventually(() => brokers.get(id)?.linkState === state);
  return {
    broker(brokerId, options = {}) {
      const { segmentEntries: _ignored, ...rest } = options; // no segments in memory
      const broker = new MemoryCoordination(ensemble, { brokerId, ...rest });
      brokers.set(brokerId, broker);
      all.push(broker);
      return Promise.resolve(broker);
    },
    faults: {
      async expire(id) {
        const seen = new Promise<void>((resolve) => {
          const off = brokers.get(id)!.onLinkState((s) => s === 'lost' && (off(), resolve()));
        });
        ensemble.expire(id);
        await seen;
      },
      async disconnect(id) {
        ensemble.disconnect(id);
        await linkIs(id, 'suspended');
      },
      async reconnect(id) {
        ensemble.reconnect(id);
        await linkIs(id, 'connected');
      },
      loseReplyOfNextAppend: (id) => ensemble.loseReplyOfNextCommit(id),
      duplicate(_id, position) {
        ensemble.duplicate(position);
        return Promise.resolve();
      },
    },
    async close() {
      await Promise.all(all.map((b) => b.close()));
    },
  };
}

coordinationContract({ name: 'memory', cluster: () => Promise.resolve(memoryCluster()) });
