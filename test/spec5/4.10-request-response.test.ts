// Test whether request/response works through the broker as MQTT 5.0 section 4.10 describes: Response Topic and Correlation Data reach the responder unaltered, the response reaches the requester, and no Response Information is offered (MQTT 5.0 sections 4.10 and 3.1.2.11.6).
import { describe, expect, it } from 'vitest';
import { nextPublish, text, uniqueTopic } from '../support/flows.js';
import { specBroker } from '../support/spec-setup.js';
import { client5, open5, publish5, subscribe5 } from '../support/v5.js';

const broker = specBroker();

describe('section 4.10: request / response', () => {
  it('[MQTT-3.3.2-15] [MQTT-3.3.2-16] a request and its response, both with No Local subscriptions on one topic (Paho test_request_response)', async () => {
    const topic = uniqueTopic();
    const requester = await client5(broker);
    const responder = await client5(broker);
    await subscribe5(requester, [{ topic, qos: 2, nl: true }]);
    await subscribe5(responder, [{ topic, qos: 2, nl: true }]);
    const correlationData = Buffer.from('334');
    await publish5(requester, topic, 'request', {
      qos: 1,
      properties: { responseTopic: topic, correlationData },
    });
    const request = await nextPublish(responder);
    expect(request.properties).toMatchObject({ responseTopic: topic, correlationData });
    responder.send({ cmd: 'puback', messageId: request.messageId! });
    await publish5(responder, request.properties!.responseTopic!, 'response', {
      qos: 1,
      properties: { correlationData: request.properties!.correlationData! },
    });
    const response = await nextPublish(requester);
    expect([text(response), response.properties?.correlationData]).toEqual(['response', correlationData]);
    await requester.nothingFor(200); // its own request did not come back (No Local)
  });
  it('[MQTT-3.1.2-28] Request Response Information 0: no Response Information in CONNACK', async () => {
    const { connack } = await open5(broker, { properties: { requestResponseInformation: false } });
    expect(connack.properties?.responseInformation).toBeUndefined();
  });
  it('section 4.10.1: Request Response Information 1: the server may send none, and sends none', async () => {
    const { connack } = await open5(broker, { properties: { requestResponseInformation: true } });
    expect(connack.properties?.responseInformation).toBeUndefined();
  });
});
