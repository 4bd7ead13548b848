/**
 * What a SUBSCRIBE or UNSUBSCRIBE asks for, filter by filter: the options to apply and the code each
 * filter gets in the ack [MQTT-3.8.4-5..7], [MQTT-3.9.3-1], [MQTT-3.11.3-1]. A filter that breaks the
 * wildcard rules closes the connection before it gets here, in every version (protocol/validate.ts,
 * as Mosquitto does; docs/CONFORMANCE.md), so failure codes are left for filters the server refuses
 * (0x80). Shared subscriptions (`$share/{group}/{filter}`) are granted like any other, in 3.1.1 too
 * (as Mosquitto does). Pure.
 */
import type { ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import type { SubscriptionOptions } from '../coordination/log-events.js';
import type { ProtocolVersion } from '../protocol/codec.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { topicFilterProblem } from '../protocol/topic.js';

export interface SubscribePlan {
  /** One code per filter, in order: the granted QoS or a failure code. */
  codes: number[];
  /** The subscriptions to make, in order. */
  accepted: { filter: string; options: SubscriptionOptions }[];
}

const NO_REFUSALS: ReadonlySet<string> = new Set();

/**
 * `refused` are filters the server will not grant (configuration; compared character by character):
 * they get 0x80 (Unspecified error) in every version [MQTT-3.9.3-2], which Paho's conformance tests
 * expect of 5.0 too (0x87 Not authorized would be allowed).
 */
export function planSubscribe(
  packet: ISubscribePacket,
  version: ProtocolVersion,
  refused: ReadonlySet<string> = NO_REFUSALS,
): SubscribePlan {
  const codes: number[] = [];
  const accepted: SubscribePlan['accepted'] = [];
  const subscriptionId: number | number[] | undefined =
    version === 5 ? packet.properties?.subscriptionIdentifier : undefined;
  const id = typeof subscriptionId === 'number' ? subscriptionId : subscriptionId?.[0];
  for (const sub of packet.subscriptions) {
    // a malformed shared filter is a protocol error in 5.0 (validate.ts), a plain filter in 3.1.1
    if (topicFilterProblem(sub.topic) !== null) {
      codes.push(version === 5 ? ReasonCode.TopicFilterInvalid : ReasonCode.UnspecifiedError);
      continue;
    }
    if (refused.has(sub.topic)) {
      codes.push(ReasonCode.UnspecifiedError);
      continue;
    }
    const options: SubscriptionOptions = {
      qos: sub.qos,
      noLocal: version === 5 && sub.nl === true,
      retainAsPublished: version === 5 && sub.rap === true,
      retainHandling: version === 5 ? ((sub.rh ?? 0) as 0 | 1 | 2) : 0,
      ...(id !== undefined ? { subscriptionId: id } : {}),
    };
    accepted.push({ filter: sub.topic, options });
    codes.push(sub.qos);
  }
  return { codes, accepted };
}

export interface UnsubscribePlan {
  /** Filters to remove, in order. */
  filters: string[];
  /** Index in the ack of each filter to remove; invalid filters already have their code. */
  codes: (number | null)[];
}

export function planUnsubscribe(packet: IUnsubscribePacket, version: ProtocolVersion): UnsubscribePlan {
  const filters: string[] = [];
  const codes: (number | null)[] = [];
  for (const filter of packet.unsubscriptions) {
    if (version === 5 && topicFilterProblem(filter) !== null) {
      codes.push(ReasonCode.TopicFilterInvalid);
    } else {
      filters.push(filter);
      codes.push(null);
    }
  }
  return { filters, codes };
}

/** Fills the UNSUBACK codes: success where a subscription existed, 0x11 where none did (5.0). */
export function unsubackCodes(plan: UnsubscribePlan, existed: boolean[]): number[] {
  let i = 0;
  return plan.codes.map(
    (code) => code ?? (existed[i++] === true ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted),
  );
}
