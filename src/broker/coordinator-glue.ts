/**
 * Runs the coordinator actor for a broker: feeds it the coordination link, leadership and
 * membership, and provides its duties. Logs every role change with the reason.
 */
import { createActor, fromPromise, type Actor } from 'xstate';
import { coordinatorMachine } from '../actors/coordinator/coordinator.machine.js';
import type { Broker } from './broker.js';
import type { LeaderDuties } from './leader-duties.js';

export interface RunningCoordinator {
  actor: Actor<typeof coordinatorMachine>;
  stop(): void;
}

export function startCoordinator(
  broker: Broker,
  duties: LeaderDuties,
  dutyIntervalMs: number,
): RunningCoordinator {
  const machine = coordinatorMachine.provide({ actors: { duties: fromPromise(() => duties.run()) } });
  const actor = createActor(machine, {
    input: { brokerId: broker.brokerId, dutyIntervalMs },
    systemId: 'coordinator',
  });
  const c = broker.coordination;
  let role: unknown = null;
  actor.subscribe((snapshot) => {
    const value = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0];
    if (value === role) return;
    broker.log.info({ role: value, from: role, leaderId: snapshot.context.leaderId }, 'coordinator state');
    role = value;
  });
  actor.start();
  const leadership = (): void =>
    actor.send({ type: 'leadership', isLeader: c.isLeader(), leaderId: c.leaderId() });
  const offs = [
    c.onLinkState((state) => {
      actor.send({ type: 'link', state });
      leadership();
    }),
    c.onLeadership((isLeader, leaderId) => actor.send({ type: 'leadership', isLeader, leaderId })),
    c.onMembers((members) => actor.send({ type: 'members', members })),
  ];
  actor.send({ type: 'members', members: c.members() });
  actor.send({ type: 'link', state: c.linkState });
  leadership();
  return {
    actor,
    stop() {
      for (const off of offs) off();
      actor.send({ type: 'close' });
    },
  };
}
