/**
 * SUBSCRIBE / SUBACK and UNSUBSCRIBE / UNSUBACK (MQTT 3.1.1 sections 3.8-3.11). The broker decides
 * what is granted (the `subscribe` effect) and answers with subscribe.done; SUBACK carries the same
 * packet id and one code per filter, in order [MQTT-3.8.4-2], [MQTT-3.8.4-5].
 */
import type { ISubscribePacket, IUnsubscribePacket } from 'mqtt-packet';
import { packetProblem } from '../../protocol/validate.js';
import { buildSuback, buildUnsuback } from './build.js';
import type { ConnectionContext } from './context.js';
import type { Out } from './out.js';

export function onSubscribe(ctx: ConnectionContext, packet: ISubscribePacket, out: Out): void {
  const problem = packetProblem(packet, ctx.version);
  if (problem !== null) {
    out.raise({ type: 'protocol.error', error: problem });
    return;
  }
  out.emit({ type: 'subscribe', packet });
}

export function onSubscribeDone(ctx: ConnectionContext, packetId: number, codes: number[], out: Out): void {
  out.emit({ type: 'send', packet: buildSuback(packetId, codes, ctx.version) });
}

export function onUnsubscribe(ctx: ConnectionContext, packet: IUnsubscribePacket, out: Out): void {
  const problem = packetProblem(packet, ctx.version);
  if (problem !== null) {
    out.raise({ type: 'protocol.error', error: problem });
    return;
  }
  out.emit({ type: 'unsubscribe', packet });
}

export function onUnsubscribeDone(ctx: ConnectionContext, packetId: number, codes: number[], out: Out): void {
  out.emit({ type: 'send', packet: buildUnsuback(packetId, codes, ctx.version) });
}
