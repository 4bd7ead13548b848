// Test whether the connection actor follows the MQTT flows, driven by events with simulated time.
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/reason-codes.js';
import { connectPacket, startConnection } from './harness.js';

describe('connecting', () => {
  it('asks the broker for the session and sends CONNACK only when granted [MQTT-3.2.0-1]', () => {
    const h = startConnection();
    h.packet(connectPacket());
    expect(h.take()).toEqual([expect.objectContaining({ type: 'connect' })]);
    expect(h.state).toBe('connecting');
    h.send({
      type: 'session.granted',
      grant: { sessionPresent: true, clientId: 'c1', awaitingRelease: [], queued: [] },
    });
    expect(h.sent()).toEqual([{ cmd: 'connack', returnCode: 0, sessionPresent: true }]);
    expect(h.state).toEqual({ connected: 'alive' });
  });

  it('closes when the first packet is not CONNECT [MQTT-3.1.0-1]', () => {
    const h = startConnection();
    h.packet({ cmd: 'pingreq' });
    expect(h.take().map((e) => e.type)).toEqual(['close', 'ended']);
    expect(h.status).toBe('done');
  });

  it('closes when no CONNECT arrives within the connect timeout', () => {
    const h = startConnection({ connectTimeoutMs: 5000 });
    h.clock.increment(4999);
    expect(h.status).toBe('active');
    h.clock.increment(1);
    expect(h.status).toBe('done');
  });

  it('answers an unknown protocol level with CONNACK 0x01 and closes [MQTT-3.1.2-2]', () => {
    const h = startConnection();
    h.send({ type: 'protocol.error', error: new ProtocolError('unsupported-version', 'level 9') });
    expect(h.sent()).toEqual([{ cmd: 'connack', returnCode: 1, sessionPresent: false }]);
    expect(h.status).toBe('done');
  });

  it('rejects an empty client id with clean session 0 with CONNACK 0x02 [MQTT-3.1.3-8]', () => {
    const h = startConnection();
    h.packet(connectPacket({ clientId: '', clean: false }));
    expect(h.sent()).toEqual([{ cmd: 'connack', returnCode: 2, sessionPresent: false }]);
    expect(h.status).toBe('done');
  });

  it('assigns a client id to an empty one with clean session 1 [MQTT-3.1.3-6]', () => {
    const h = startConnection();
    h.packet(connectPacket({ clientId: '' }));
    const [connect] = h.take();
    expect(connect).toMatchObject({ type: 'connect', packet: { clientId: 'auto-b1-1' } });
  });

  it('keeps packets sent before CONNACK and handles them after it', () => {
    const h = startConnection();
    h.packet(connectPacket());
    h.packet({ cmd: 'pingreq' });
    h.take();
    h.send({
      type: 'session.granted',
      grant: { sessionPresent: false, clientId: 'c1', awaitingRelease: [], queued: [] },
    });
    expect(h.sent().map((p) => p.cmd)).toEqual(['connack', 'pingresp']);
  });

  it('closes on a second CONNECT [MQTT-3.1.0-2]', () => {
    const h = startConnection();
    h.connect();
    h.packet(connectPacket());
    expect(h.take().map((e) => e.type)).toEqual(['close', 'ended']);
  });
});

describe('keep-alive [MQTT-3.1.2-24]', () => {
  it('closes after 1.5 x keep-alive without a packet, and not before', () => {
    const h = startConnection();
    h.connect({ keepalive: 10 });
    h.clock.increment(14_999);
    expect(h.status).toBe('active');
    h.clock.increment(1);
    expect(h.status).toBe('done');
    expect(h.actor.getSnapshot().context.closeReason).toMatchObject({
      kind: 'error',
      error: 'keep-alive-timeout',
    });
  });

  it('counts any packet, and re-arms from the last one', () => {
    const h = startConnection();
    h.connect({ keepalive: 10 });
    h.clock.increment(10_000);
    h.packet({ cmd: 'pingreq' });
    h.clock.increment(10_000); // 20 s in, 10 s after the ping
    expect(h.status).toBe('active');
    h.clock.increment(5_000);
    expect(h.status).toBe('done');
  });

  it('never times out with keep-alive 0', () => {
    const h = startConnection();
    h.connect({ keepalive: 0 });
    h.clock.increment(10 * 3600_000);
    expect(h.status).toBe('active');
  });
});

describe('inbound QoS flows', () => {
  it('acks QoS 1 only after the log committed it [MQTT-4.3.2-2]', () => {
    const h = startConnection();
    h.connect();
    h.packet({
      cmd: 'publish',
      topic: 'a',
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 7,
      dup: false,
      retain: false,
    });
    expect(h.take().map((e) => e.type)).toEqual(['publish']);
    h.send({ type: 'publish.committed', acks: [{ packetId: 7, qos: 1 }] });
    expect(h.sent()).toEqual([{ cmd: 'puback', messageId: 7 }]);
  });

  it('does not publish a retried QoS 2 message twice, and acks it again [MQTT-4.3.3-2]', () => {
    const h = startConnection();
    h.connect();
    const p = {
      cmd: 'publish' as const,
      topic: 'a',
      payload: Buffer.from('x'),
      qos: 2 as const,
      messageId: 3,
      dup: false,
      retain: false,
    };
    h.packet(p);
    expect(h.take().map((e) => e.type)).toEqual(['publish']);
    h.packet({ ...p, dup: true }); // while committing: nothing
    expect(h.take()).toEqual([]);
    h.send({ type: 'publish.committed', acks: [{ packetId: 3, qos: 2 }] });
    expect(h.sent()).toEqual([{ cmd: 'pubrec', messageId: 3 }]);
    h.packet({ ...p, dup: true }); // after PUBREC: PUBREC again, no publish
    expect(h.take()).toEqual([{ type: 'send', packet: { cmd: 'pubrec', messageId: 3 } }]);
    h.packet({ cmd: 'pubrel', messageId: 3 });
    expect(h.take()).toEqual([
      { type: 'inboundReleased', packetId: 3 },
      { type: 'send', packet: { cmd: 'pubcomp', messageId: 3 } },
    ]);
    h.packet({ ...p, dup: false }); // a new message with the same id after PUBCOMP is new
    expect(h.take().map((e) => e.type)).toEqual(['publish']);
  });

  it('closes on PUBLISH to a topic with wildcards [MQTT-3.3.2-2]', () => {
    const h = startConnection();
    h.connect();
    h.packet({ cmd: 'publish', topic: 'a/#', payload: Buffer.from('x'), qos: 0, dup: false, retain: false });
    expect(h.status).toBe('done');
  });

  it('withholds the ack and closes a 3.1.1 client when the quota refuses its publish', () => {
    const h = startConnection();
    h.connect();
    h.packet({
      cmd: 'publish',
      topic: 'a',
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    h.take();
    h.send({ type: 'publish.failed', packetId: 1, qos: 1, kind: 'quota-exceeded', reason: 'full' });
    expect(h.take().map((e) => e.type)).toEqual(['close', 'ended']);
  });

  it('answers a 5.0 client with PUBACK 0x97 Quota exceeded', () => {
    const h = startConnection();
    h.connect({ protocolVersion: 5 });
    h.packet({
      cmd: 'publish',
      topic: 'a',
      payload: Buffer.from('x'),
      qos: 1,
      messageId: 1,
      dup: false,
      retain: false,
    });
    h.take();
    h.send({ type: 'publish.failed', packetId: 1, qos: 1, kind: 'quota-exceeded', reason: 'full' });
    expect(h.sent()).toEqual([{ cmd: 'puback', messageId: 1, reasonCode: 0x97 }]);
    expect(h.status).toBe('active');
  });
});

describe('outbound delivery', () => {
  const msg = (n: number, qos: 0 | 1 | 2 = 1) => ({
    topic: 't',
    payload: Buffer.from(String(n)),
    qos,
    retain: false,
  });

  it('assigns packet ids, keeps a bounded window and sends the rest as acks free it', () => {
    const h = startConnection({ maxInflight: 2 });
    h.connect();
    h.send({ type: 'deliver', messages: [msg(1), msg(2), msg(3)] });
    expect(h.sent().map((p) => (p.cmd === 'publish' ? p.messageId : null))).toEqual([1, 2]);
    h.packet({ cmd: 'puback', messageId: 1 });
    const after = h.take();
    expect(after[0]).toEqual({ type: 'delivered', packetId: 1 });
    expect(after[1]).toMatchObject({ type: 'send', packet: { cmd: 'publish', messageId: 3 } });
  });

  it('keeps QoS 0 behind queued QoS 1 messages so order holds', () => {
    const h = startConnection({ maxInflight: 1 });
    h.connect();
    h.send({ type: 'deliver', messages: [msg(1), msg(2), msg(3, 0)] });
    expect(h.sent().map((p) => (p.cmd === 'publish' ? p.payload.toString() : ''))).toEqual(['1']);
    h.packet({ cmd: 'puback', messageId: 1 });
    h.packet({ cmd: 'puback', messageId: 2 });
    const payloads = h.sent().map((p) => (p.cmd === 'publish' ? p.payload.toString() : ''));
    expect(payloads).toEqual(['2', '3']);
  });

  it('drops the newest messages when the queue is full, and says so', () => {
    const h = startConnection({ maxInflight: 1, maxQueued: 1 });
    h.connect();
    h.send({ type: 'deliver', messages: [msg(1), msg(2), msg(3)] });
    const effects = h.take();
    expect(effects).toContainEqual({ type: 'dropped', count: 1, reason: 'queue-full' });
  });

  it('runs the QoS 2 flow: PUBREC gets PUBREL, PUBCOMP completes [MQTT-4.3.3-1]', () => {
    const h = startConnection();
    h.connect();
    h.send({ type: 'deliver', messages: [msg(1, 2)] });
    h.take();
    h.packet({ cmd: 'pubrec', messageId: 1 });
    // 'released' first: a broker recording it in the log holds the PUBREL until it is committed
    expect(h.take()).toEqual([
      { type: 'released', packetId: 1 },
      { type: 'send', packet: { cmd: 'pubrel', messageId: 1 } },
    ]);
    h.packet({ cmd: 'pubcomp', messageId: 1 });
    expect(h.take()).toEqual([{ type: 'delivered', packetId: 1 }]);
  });

  it('re-sends a resumed session with DUP, and PUBREL for released QoS 2 messages [MQTT-4.4.0-1]', () => {
    const h = startConnection();
    h.packet(connectPacket({ clean: false }));
    h.take();
    h.send({
      type: 'session.granted',
      grant: {
        sessionPresent: true,
        clientId: 'c1',
        awaitingRelease: [9],
        queued: [
          { ...msg(1), packetId: 5, dup: true },
          { ...msg(2, 2), packetId: 6, dup: true, released: true },
        ],
      },
    });
    expect(h.sent()).toEqual([
      { cmd: 'connack', returnCode: 0, sessionPresent: true },
      expect.objectContaining({ cmd: 'publish', messageId: 5, dup: true }),
      { cmd: 'pubrel', messageId: 6 },
    ]);
    // the inbound QoS 2 id 9 survived: PUBREL completes it
    h.packet({ cmd: 'pubrel', messageId: 9 });
    expect(h.sent()).toEqual([{ cmd: 'pubcomp', messageId: 9 }]);
  });

  it('drops messages whose expiry passed before they could be sent [MQTT-3.3.2-5]', () => {
    const h = startConnection({ maxInflight: 1 });
    h.connect({ protocolVersion: 5 });
    const now = h.clock.now();
    h.send({ type: 'deliver', messages: [msg(1), { ...msg(2), expiresAt: now + 1000 }] });
    h.take();
    h.clock.increment(2000);
    h.packet({ cmd: 'puback', messageId: 1 });
    expect(h.take()).toEqual([
      { type: 'delivered', packetId: 1 },
      { type: 'dropped', count: 1, reason: 'expired' },
    ]);
  });
});

describe('ending', () => {
  it('a DISCONNECT ends without the will [MQTT-3.14.4-3]', () => {
    const h = startConnection();
    h.connect();
    h.packet({ cmd: 'disconnect' });
    expect(h.take()).toEqual([
      { type: 'close', reason: { kind: 'client-disconnect', sendWill: false } },
      { type: 'ended', reason: { kind: 'client-disconnect', sendWill: false } },
    ]);
  });

  it('a takeover sends DISCONNECT 0x8E to a 5.0 client', () => {
    const h = startConnection();
    h.connect({ protocolVersion: 5 });
    h.send({ type: 'session.takenOver' });
    expect(h.sent()).toEqual([expect.objectContaining({ cmd: 'disconnect', reasonCode: 0x8e })]);
  });
});
