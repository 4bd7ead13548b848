/**
 * Topic aliases the server sets for a 5.0 client that allows them (section 3.3.2.3.4): each topic
 * sent gets an alias, from 1 up to the client's Topic Alias Maximum [MQTT-3.3.2-11], [MQTT-3.1.2-26];
 * once all are taken, the alias of the topic sent least recently is given to the new topic. A
 * PUBLISH sends the topic with its alias the first time, then the alias alone with an empty topic.
 * Aliases belong to one network connection [MQTT-3.3.2-7]. Pure data structure.
 */
export class OutboundTopicAliases {
  /** Topic -> alias, least recently used first (a Map keeps insertion order). */
  private readonly byTopic = new Map<string, number>();

  constructor(readonly maximum: number) {}

  /** The alias the client already knows for `topic`, if any (and mark it used). */
  known(topic: string): number | undefined {
    const alias = this.byTopic.get(topic);
    if (alias !== undefined) {
      this.byTopic.delete(topic);
      this.byTopic.set(topic, alias);
    }
    return alias;
  }

  /** The alias `topic` would get; `assign` makes it so once the PUBLISH that sets it is sent. */
  next(): number {
    if (this.byTopic.size < this.maximum) return this.byTopic.size + 1;
    return this.byTopic.values().next().value!;
  }

  assign(topic: string, alias: number): void {
    if (this.byTopic.size >= this.maximum) {
      const oldest = this.byTopic.keys().next().value!;
      this.byTopic.delete(oldest);
    }
    this.byTopic.set(topic, alias);
  }
}
