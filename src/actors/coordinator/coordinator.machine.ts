/**
 * The broker's side of the cluster as an XState v5 machine (systemId 'coordinator').
 *
 *   connecting ──link up──► follower ◄──leadership──► leader (duties every DUTY_INTERVAL)
 *        ▲                     │ link suspended            │ link suspended: duties stop at once
 *        │                     ▼                           ▼
 *        └──── new session ── lost ◄── session expired ── suspended
 *
 * The leader's duties (snapshot and trim, wills of vanished brokers' clients, session and message
 * expiry) are an injected promise actor, `duties`, invoked only in leader.running: losing
 * leadership or the link stops it. Every duty is safe to run twice (DESIGN.md "The coordinator").
 */
import { assign, fromPromise, setup } from 'xstate';
import type { LinkState, Member } from '../../coordination/coordination.js';

export interface DutyReport {
  /** Log events the duties appended. */
  appended: number;
  /** Position of a snapshot written by this run, if any. */
  snapshotAt?: number;
  /** Log entries trimmed by this run. */
  trimmed: number;
}

export interface CoordinatorInput {
  brokerId: string;
  dutyIntervalMs: number;
}

export interface CoordinatorContext {
  brokerId: string;
  dutyIntervalMs: number;
  link: LinkState;
  leaderId: string | null;
  members: Member[];
  dutyRuns: number;
  dutyErrors: number;
  lastDuty: DutyReport | null;
  lastDutyError: string | null;
  lastSnapshotAt: number | null;
}

export type CoordinatorEvent =
  | { type: 'link'; state: LinkState }
  | { type: 'leadership'; isLeader: boolean; leaderId: string | null }
  | { type: 'members'; members: Member[] }
  | { type: 'close' };

export const coordinatorMachine = setup({
  types: {
    context: {} as CoordinatorContext,
    events: {} as CoordinatorEvent,
    input: {} as CoordinatorInput,
  },
  actors: {
    // provided by the broker; the default does nothing so the machine runs alone in tests
    duties: fromPromise<DutyReport>(() => Promise.resolve({ appended: 0, trimmed: 0 })),
  },
  guards: {
    linkUp: ({ event }) => event.type === 'link' && event.state === 'connected',
    linkSuspended: ({ event }) => event.type === 'link' && event.state === 'suspended',
    linkLost: ({ event }) =>
      event.type === 'link' && (event.state === 'lost' || event.state === 'connecting'),
    linkClosed: ({ event }) => event.type === 'link' && event.state === 'closed',
    becameLeader: ({ event }) => event.type === 'leadership' && event.isLeader,
    lostLeadership: ({ event }) => event.type === 'leadership' && !event.isLeader,
  },
  actions: {
    recordLink: assign({
      link: ({ event, context }) => (event.type === 'link' ? event.state : context.link),
    }),
    recordLeader: assign({
      leaderId: ({ event, context }) => (event.type === 'leadership' ? event.leaderId : context.leaderId),
    }),
    recordMembers: assign({
      members: ({ event, context }) => (event.type === 'members' ? event.members : context.members),
    }),
  },
  delays: {
    DUTY_INTERVAL: ({ context }) => context.dutyIntervalMs,
  },
}).createMachine({
  id: 'coordinator',
  context: ({ input }) => ({
    brokerId: input.brokerId,
    dutyIntervalMs: input.dutyIntervalMs,
    link: 'connecting',
    leaderId: null,
    members: [],
    dutyRuns: 0,
    dutyErrors: 0,
    lastDuty: null,
    lastDutyError: null,
    lastSnapshotAt: null,
  }),
  initial: 'connecting',
  on: {
    members: { actions: 'recordMembers' },
    close: { target: '.closed' },
  },
  states: {
    connecting: {
      on: {
        link: [
          { guard: 'linkUp', target: 'follower', actions: 'recordLink' },
          { guard: 'linkClosed', target: 'closed', actions: 'recordLink' },
          { actions: 'recordLink' },
        ],
        leadership: { actions: 'recordLeader' },
      },
    },
    follower: {
      on: {
        leadership: [
          { guard: 'becameLeader', target: 'leader', actions: 'recordLeader' },
          { actions: 'recordLeader' },
        ],
        link: [
          { guard: 'linkSuspended', target: 'suspended', actions: 'recordLink' },
          { guard: 'linkLost', target: 'lost', actions: 'recordLink' },
          { guard: 'linkClosed', target: 'closed', actions: 'recordLink' },
        ],
      },
    },
    leader: {
      initial: 'running',
      on: {
        leadership: { guard: 'lostLeadership', target: 'follower', actions: 'recordLeader' },
        link: [
          { guard: 'linkSuspended', target: 'suspended', actions: 'recordLink' },
          { guard: 'linkLost', target: 'lost', actions: 'recordLink' },
          { guard: 'linkClosed', target: 'closed', actions: 'recordLink' },
        ],
      },
      states: {
        idle: { after: { DUTY_INTERVAL: 'running' } },
        running: {
          invoke: {
            src: 'duties',
            onDone: {
              target: 'idle',
              actions: assign({
                dutyRuns: ({ context }) => context.dutyRuns + 1,
                lastDuty: ({ event }) => event.output,
                lastSnapshotAt: ({ context, event }) => event.output.snapshotAt ?? context.lastSnapshotAt,
              }),
            },
            onError: {
              target: 'idle',
              actions: assign({
                dutyErrors: ({ context }) => context.dutyErrors + 1,
                lastDutyError: ({ event }) =>
                  event.error instanceof Error ? event.error.message : String(event.error),
              }),
            },
          },
        },
      },
    },
    suspended: {
      on: {
        link: [
          { guard: 'linkUp', target: 'follower', actions: 'recordLink' },
          { guard: 'linkLost', target: 'lost', actions: 'recordLink' },
          { guard: 'linkClosed', target: 'closed', actions: 'recordLink' },
        ],
        leadership: { actions: 'recordLeader' },
      },
    },
    lost: {
      on: {
        link: [
          { guard: 'linkUp', target: 'follower', actions: 'recordLink' },
          { guard: 'linkClosed', target: 'closed', actions: 'recordLink' },
          { actions: 'recordLink' },
        ],
        leadership: { actions: 'recordLeader' },
      },
    },
    closed: { type: 'final' },
  },
});
