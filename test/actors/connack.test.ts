// Test whether the CONNACK of an accepted connection carries Session Present only where the protocol version has it (MQTT 3.1.1 section 3.2.2.2; MQTT 3.1 has none).
import { describe, expect, it } from 'vitest';
import { connectPacket, startConnection } from './harness.js';

const grant = { clientId: 'c1', awaitingRelease: [], queued: [] };

describe('CONNACK for a resumed session', () => {
  it('sets Session Present for MQTT 3.1.1 [MQTT-3.2.2-2]', () => {
    const h = startConnection();
    h.packet(connectPacket({ clean: false }));
    h.take();
    h.send({ type: 'session.granted', grant: { ...grant, sessionPresent: true } });
    expect(h.sent()).toEqual([{ cmd: 'connack', returnCode: 0, sessionPresent: true }]);
  });

  it('leaves the reserved byte 0 for MQTT 3.1', () => {
    const h = startConnection();
    h.packet(connectPacket({ clean: false, protocolId: 'MQIsdp', protocolVersion: 3 }));
    h.take();
    h.send({ type: 'session.granted', grant: { ...grant, sessionPresent: true } });
    expect(h.sent()).toEqual([{ cmd: 'connack', returnCode: 0, sessionPresent: false }]);
  });
});
