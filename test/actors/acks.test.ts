// Test whether the connection actor closes on an acknowledgement of the wrong kind for a message in flight, and keeps answering unknown ids (MQTT 3.1.1 sections 4.3.2, 4.3.3, 4.8).
import { describe, expect, it } from 'vitest';
import { startConnection } from './harness.js';

const msg = (qos: 1 | 2) => ({ topic: 't', payload: Buffer.from('x'), qos, retain: false });

/** A connected actor with one message at `qos` in flight under packet id 1. */
function inFlight(qos: 1 | 2) {
  const h = startConnection();
  h.connect();
  h.send({ type: 'deliver', messages: [msg(qos)] });
  h.take();
  return h;
}

const closed = (h: ReturnType<typeof startConnection>) =>
  h
    .take()
    .filter((e) => e.type === 'close' || e.type === 'ended')
    .map((e) => e.type);

describe('acknowledgements of the wrong kind [MQTT-4.8.0-1]', () => {
  it('closes on PUBREC for a QoS 1 message [MQTT-4.3.2-1]', () => {
    const h = inFlight(1);
    h.packet({ cmd: 'pubrec', messageId: 1 });
    expect(closed(h)).toEqual(['close', 'ended']);
  });

  it('closes on PUBCOMP for a QoS 1 message', () => {
    const h = inFlight(1);
    h.packet({ cmd: 'pubcomp', messageId: 1 });
    expect(closed(h)).toEqual(['close', 'ended']);
  });

  it('closes on PUBACK for a QoS 2 message [MQTT-4.3.3-1]', () => {
    const h = inFlight(2);
    h.packet({ cmd: 'puback', messageId: 1 });
    expect(closed(h)).toEqual(['close', 'ended']);
  });

  it('closes on PUBCOMP before PUBREC', () => {
    const h = inFlight(2);
    h.packet({ cmd: 'pubcomp', messageId: 1 });
    expect(closed(h)).toEqual(['close', 'ended']);
  });

  it('answers a repeated PUBREC after PUBREL with PUBREL again', () => {
    const h = inFlight(2);
    h.packet({ cmd: 'pubrec', messageId: 1 });
    h.take();
    h.packet({ cmd: 'pubrec', messageId: 1 });
    expect(h.sent()).toEqual([{ cmd: 'pubrel', messageId: 1 }]);
    expect(h.status).toBe('active');
  });

  it('ignores PUBACK and PUBCOMP for ids not in flight, and answers PUBREC with PUBREL', () => {
    const h = inFlight(1);
    h.packet({ cmd: 'puback', messageId: 9 });
    h.packet({ cmd: 'pubcomp', messageId: 9 });
    h.packet({ cmd: 'pubrec', messageId: 9 });
    expect(h.sent()).toEqual([{ cmd: 'pubrel', messageId: 9 }]);
    expect(h.status).toBe('active');
  });
});
