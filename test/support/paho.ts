/**
 * The topics of Eclipse Paho's interoperability suite (paho.mqtt.testing interoperability/client_test5.py),
 * under a prefix of their own so that tests running at once do not meet, and a collector for what a
 * client receives in a bounded time.
 */
import type { IPublishPacket } from 'mqtt-packet';
import { acknowledge, nextPublish, uniqueTopic } from './flows.js';
import type { RawClient } from './raw-client.js';

export interface PahoTopics {
  /** "TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA" under the prefix. */
  topics: string[];
  /** "TopicA/+", "+/C", "#", "/#", "/+", "+/+", "TopicA/#" under the prefix. */
  wildtopics: string[];
}

export function pahoTopics(): PahoTopics {
  const prefix = `${uniqueTopic('client_test5')}/`;
  return {
    topics: ['TopicA', 'TopicA/B', 'Topic/C', 'TopicA/C', '/TopicA'].map((t) => prefix + t),
    wildtopics: ['TopicA/+', '+/C', '#', '/#', '/+', '+/+', 'TopicA/#'].map((t) => prefix + t),
  };
}

/** Every PUBLISH that arrives until none comes for `quietMs`, acknowledged. */
export async function collect(client: RawClient, quietMs = 300): Promise<IPublishPacket[]> {
  const got: IPublishPacket[] = [];
  for (;;) {
    const p = await nextPublish(client, quietMs).catch(() => null);
    if (p === null) return got;
    got.push(p);
    await acknowledge(client, p);
  }
}
